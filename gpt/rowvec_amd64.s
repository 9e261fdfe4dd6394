//go:build amd64 && !purego

#include "textflag.h"

// Row kernels of the attention layer. hs is a multiple of 8; strides are in
// float32 elements. Sums run in a fixed order that depends only on the
// arguments.

// func dotRowsAVX2(dst, x, y *float32, n, stride, hs int)
// dst[j] = sum over c < hs of x[c] y[j*stride+c], for j < n. Rows are taken
// four at a time while at least four are left: each row sums column c in lane
// c%8 of one register, in order of c, and the lanes are reduced by three
// VHADDPS and one VADDPS. The last n%4 rows sum column c in lane c%8 of
// register (c/8)%4; the registers are added as (0+1)+(2+3) and the lanes
// reduced as in HSUM. Which reduction a row gets depends only on j and n.
TEXT ·dotRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ stride+32(FP), R8
	MOVQ hs+40(FP), R9
	SHLQ $2, R8
dr_g4:
	CMPQ CX, $4
	JLT dr_one
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	LEAQ (DX)(R8*1), R12
	LEAQ (DX)(R8*2), R13
	LEAQ (R12)(R8*2), R14
	XORQ AX, AX
	MOVQ R9, BX
dr_g4c:
	VMOVUPS (SI)(AX*1), Y4
	VFMADD231PS (DX)(AX*1), Y4, Y0
	VFMADD231PS (R12)(AX*1), Y4, Y1
	VFMADD231PS (R13)(AX*1), Y4, Y2
	VFMADD231PS (R14)(AX*1), Y4, Y3
	ADDQ $32, AX
	SUBQ $8, BX
	JNE dr_g4c
	VHADDPS Y1, Y0, Y0
	VHADDPS Y3, Y2, Y2
	VHADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VMOVUPS X0, (DI)
	ADDQ $16, DI
	LEAQ (DX)(R8*4), DX
	SUBQ $4, CX
	JMP dr_g4
dr_one:
	TESTQ CX, CX
	JEQ dr_done
dr_row:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ AX, AX
	MOVQ R9, BX
dr_c32:
	CMPQ BX, $32
	JLT dr_c8
	VMOVUPS (SI)(AX*1), Y4
	VFMADD231PS (DX)(AX*1), Y4, Y0
	VMOVUPS 32(SI)(AX*1), Y5
	VFMADD231PS 32(DX)(AX*1), Y5, Y1
	VMOVUPS 64(SI)(AX*1), Y6
	VFMADD231PS 64(DX)(AX*1), Y6, Y2
	VMOVUPS 96(SI)(AX*1), Y7
	VFMADD231PS 96(DX)(AX*1), Y7, Y3
	ADDQ $128, AX
	SUBQ $32, BX
	JMP dr_c32
dr_c8:
	CMPQ BX, $8
	JLT dr_sum
	VMOVUPS (SI)(AX*1), Y4
	VFMADD231PS (DX)(AX*1), Y4, Y0
	ADDQ $32, AX
	SUBQ $8, BX
	JMP dr_c8
dr_sum:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VADDPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VADDPS X1, X0, X0
	VMOVSS X0, (DI)
	ADDQ $4, DI
	ADDQ R8, DX
	DECQ CX
	JNE dr_row
dr_done:
	VZEROUPPER
	RET

// func axpyRowsAVX2(out, w *float32, ws int, y *float32, n, stride, hs int, acc int)
// out[c] = (acc != 0 ? out[c] : 0) + S[c], S[c] = sum over j < n of
// w[j*ws] y[j*stride+c], for c < hs. In blocks of 32 columns, even j and odd j
// are summed in separate registers that are added at the end; in blocks of 8
// columns j is summed in order.
TEXT ·axpyRowsAVX2(SB), NOSPLIT, $0-64
	MOVQ out+0(FP), DI
	MOVQ w+8(FP), SI
	MOVQ ws+16(FP), R8
	MOVQ y+24(FP), DX
	MOVQ n+32(FP), CX
	MOVQ stride+40(FP), R9
	MOVQ hs+48(FP), BX
	MOVQ acc+56(FP), R11
	SHLQ $2, R8
	SHLQ $2, R9
ax_c32:
	CMPQ BX, $32
	JLT ax_c8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ SI, AX
	MOVQ DX, R10
	MOVQ CX, R12
	SHRQ $1, R12
	JEQ ax_odd32
ax_l32:
	VBROADCASTSS (AX), Y8
	VFMADD231PS (R10), Y8, Y0
	VFMADD231PS 32(R10), Y8, Y1
	VFMADD231PS 64(R10), Y8, Y2
	VFMADD231PS 96(R10), Y8, Y3
	ADDQ R8, AX
	ADDQ R9, R10
	VBROADCASTSS (AX), Y9
	VFMADD231PS (R10), Y9, Y4
	VFMADD231PS 32(R10), Y9, Y5
	VFMADD231PS 64(R10), Y9, Y6
	VFMADD231PS 96(R10), Y9, Y7
	ADDQ R8, AX
	ADDQ R9, R10
	DECQ R12
	JNE ax_l32
ax_odd32:
	TESTQ $1, CX
	JEQ ax_sum32
	VBROADCASTSS (AX), Y8
	VFMADD231PS (R10), Y8, Y0
	VFMADD231PS 32(R10), Y8, Y1
	VFMADD231PS 64(R10), Y8, Y2
	VFMADD231PS 96(R10), Y8, Y3
ax_sum32:
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	VADDPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y3
	TESTQ R11, R11
	JEQ ax_st32
	VADDPS (DI), Y0, Y0
	VADDPS 32(DI), Y1, Y1
	VADDPS 64(DI), Y2, Y2
	VADDPS 96(DI), Y3, Y3
ax_st32:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, DI
	ADDQ $128, DX
	SUBQ $32, BX
	JMP ax_c32
ax_c8:
	CMPQ BX, $8
	JLT ax_done
	VXORPS Y0, Y0, Y0
	MOVQ SI, AX
	MOVQ DX, R10
	MOVQ CX, R12
	TESTQ R12, R12
	JEQ ax_sum8
ax_l8:
	VBROADCASTSS (AX), Y8
	VFMADD231PS (R10), Y8, Y0
	ADDQ R8, AX
	ADDQ R9, R10
	DECQ R12
	JNE ax_l8
ax_sum8:
	TESTQ R11, R11
	JEQ ax_st8
	VADDPS (DI), Y0, Y0
ax_st8:
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, DX
	SUBQ $8, BX
	JMP ax_c8
ax_done:
	VZEROUPPER
	RET

// func maxAVX2(x *float32, n int) float32
// The largest of x[0:n], n a multiple of 8 (NaNs are not expected).
TEXT ·maxAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VMOVUPS (SI), Y0
	ADDQ $32, SI
	SUBQ $8, CX
	JEQ mx_red
mx_loop:
	VMAXPS (SI), Y0, Y0
	ADDQ $32, SI
	SUBQ $8, CX
	JNE mx_loop
mx_red:
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func scaleAVX2(x *float32, n int, s float32)
// x[i] *= s for i < n, n a multiple of 8.
TEXT ·scaleAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS s+16(FP), Y1
sc_loop:
	VMULPS (SI), Y1, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	SUBQ $8, CX
	JNE sc_loop
	VZEROUPPER
	RET

// func smBwdAVX2(d, a *float32, n int, s, scale float32)
// d[i] = a[i] (d[i] - s) scale for i < n, n a multiple of 8, rounded after
// each operation in that order.
TEXT ·smBwdAVX2(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS s+24(FP), Y1
	VBROADCASTSS scale+28(FP), Y2
sb_loop:
	VMOVUPS (DI), Y0
	VSUBPS Y1, Y0, Y0
	VMULPS (SI), Y0, Y0
	VMULPS Y2, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $8, CX
	JNE sb_loop
	VZEROUPPER
	RET
