//go:build amd64 && !purego

#include "textflag.h"

// TR8 transposes the 8 x 8 doubles in Z0-Z7 (row r in Zr) into Z8-Z15
// (column j in Z(8+j)); clobbers Z0-Z7.
#define TR8 \
	VUNPCKLPD Z1, Z0, Z8 \
	VUNPCKHPD Z1, Z0, Z9 \
	VUNPCKLPD Z3, Z2, Z10 \
	VUNPCKHPD Z3, Z2, Z11 \
	VUNPCKLPD Z5, Z4, Z12 \
	VUNPCKHPD Z5, Z4, Z13 \
	VUNPCKLPD Z7, Z6, Z14 \
	VUNPCKHPD Z7, Z6, Z15 \
	VSHUFF64X2 $0x88, Z10, Z8, Z0 \
	VSHUFF64X2 $0xdd, Z10, Z8, Z1 \
	VSHUFF64X2 $0x88, Z11, Z9, Z2 \
	VSHUFF64X2 $0xdd, Z11, Z9, Z3 \
	VSHUFF64X2 $0x88, Z14, Z12, Z4 \
	VSHUFF64X2 $0xdd, Z14, Z12, Z5 \
	VSHUFF64X2 $0x88, Z15, Z13, Z6 \
	VSHUFF64X2 $0xdd, Z15, Z13, Z7 \
	VSHUFF64X2 $0x88, Z4, Z0, Z8 \
	VSHUFF64X2 $0xdd, Z4, Z0, Z12 \
	VSHUFF64X2 $0x88, Z5, Z1, Z10 \
	VSHUFF64X2 $0xdd, Z5, Z1, Z14 \
	VSHUFF64X2 $0x88, Z6, Z2, Z9 \
	VSHUFF64X2 $0xdd, Z6, Z2, Z13 \
	VSHUFF64X2 $0x88, Z7, Z3, Z11 \
	VSHUFF64X2 $0xdd, Z7, Z3, Z15

// LLSTEP(j, fj, lj): point j of the block for the eight rows (lanes): lj =
// acc; the lane maxima at lm+64j raised to acc; acc -= (y_j - fj)^2 inv + lg.
#define LLSTEP(j, fj, lj) \
	VMOVAPD Z16, lj \
	VMOVUPD (j*64)(R12), Z28 \
	VMAXPD Z28, Z16, Z28 \
	VMOVUPD Z28, (j*64)(R12) \
	VBROADCASTSD (j*8)(R14), Z29 \
	VSUBPD fj, Z29, Z29 \
	VMULPD Z29, Z29, Z29 \
	VMULPD Z17, Z29, Z29 \
	VADDPD Z18, Z29, Z29 \
	VSUBPD Z29, Z16, Z16

// func logLikRowsAVX512(ll, lm, f, y, inv, lg *float64, groups, n int)
// LogLikRows over groups of eight rows: per block of eight points the rows'
// f values are transposed so that a lane holds a row, the sums run down the
// points, and the block of sums is transposed back into ll. lm (8 per point,
// blocks of 8 points) receives the lane maxima; y is padded to whole blocks.
// The last block of a row is loaded and stored masked to its n%8 points.
TEXT ·logLikRowsAVX512(SB), NOSPLIT, $0-64
	MOVQ ll+0(FP), DI
	MOVQ f+16(FP), SI
	MOVQ inv+32(FP), DX
	MOVQ lg+40(FP), BX
	MOVQ groups+48(FP), CX
	MOVQ n+56(FP), R9
	MOVQ R9, AX
	ANDQ $7, AX
	MOVQ AX, R10
	MOVL $1, R11
	SHLXL R10, R11, R11
	DECL R11
	TESTQ AX, AX
	JNE ll_tm
	MOVL $0xff, R11
ll_tm:
	KMOVB R11, K2               // the last block's points
	MOVL $0xff, R11
	KMOVB R11, K3               // a whole block
	ADDQ $7, R9
	SHRQ $3, R9                 // blocks a row
	MOVQ R9, R15
	MOVQ n+56(FP), R13
	SHLQ $3, R13                // row stride in bytes
ll_group:
	VMOVUPD (DX), Z17           // inv of the eight rows
	VMOVUPD (BX), Z18           // lg
	VXORPD Z16, Z16, Z16        // acc
	MOVQ lm+8(FP), R12
	MOVQ y+24(FP), R14
	XORQ R8, R8                 // byte offset of the block in a row
	MOVQ R15, R9
ll_block:
	KMOVB K3, K4
	CMPQ R9, $1
	JNE ll_mask
	KMOVB K2, K4
ll_mask:
	LEAQ (SI)(R8*1), AX         // rows 0-3 at AX + r*stride
	LEAQ (AX)(R13*4), R10       // rows 4-7
	LEAQ (R13)(R13*2), R11      // 3 strides
	VMOVUPD.Z (AX), K4, Z0
	VMOVUPD.Z (AX)(R13*1), K4, Z1
	VMOVUPD.Z (AX)(R13*2), K4, Z2
	VMOVUPD.Z (AX)(R11*1), K4, Z3
	VMOVUPD.Z (R10), K4, Z4
	VMOVUPD.Z (R10)(R13*1), K4, Z5
	VMOVUPD.Z (R10)(R13*2), K4, Z6
	VMOVUPD.Z (R10)(R11*1), K4, Z7
	TR8
	LLSTEP(0, Z8, Z20)
	LLSTEP(1, Z9, Z21)
	LLSTEP(2, Z10, Z22)
	LLSTEP(3, Z11, Z23)
	LLSTEP(4, Z12, Z24)
	LLSTEP(5, Z13, Z25)
	LLSTEP(6, Z14, Z26)
	LLSTEP(7, Z15, Z27)
	VMOVAPD Z20, Z0
	VMOVAPD Z21, Z1
	VMOVAPD Z22, Z2
	VMOVAPD Z23, Z3
	VMOVAPD Z24, Z4
	VMOVAPD Z25, Z5
	VMOVAPD Z26, Z6
	VMOVAPD Z27, Z7
	TR8
	LEAQ (DI)(R8*1), AX
	LEAQ (AX)(R13*4), R10
	VMOVUPD Z8, K4, (AX)
	VMOVUPD Z9, K4, (AX)(R13*1)
	VMOVUPD Z10, K4, (AX)(R13*2)
	VMOVUPD Z11, K4, (AX)(R11*1)
	VMOVUPD Z12, K4, (R10)
	VMOVUPD Z13, K4, (R10)(R13*1)
	VMOVUPD Z14, K4, (R10)(R13*2)
	VMOVUPD Z15, K4, (R10)(R11*1)
	ADDQ $64, R8
	ADDQ $512, R12
	ADDQ $64, R14
	DECQ R9
	JNE ll_block
	LEAQ (SI)(R13*8), SI        // next eight rows
	LEAQ (DI)(R13*8), DI
	ADDQ $64, DX
	ADDQ $64, BX
	DECQ CX
	JNE ll_group
	VZEROUPPER
	RET
