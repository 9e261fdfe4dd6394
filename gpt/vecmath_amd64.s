//go:build amd64 && !purego

#include "textflag.h"

// Vectorised GELU (tanh form) and exp, 8 float32 lanes per step, AVX2 + FMA.
// c points to the table vecConsts (vecmath_amd64.go): 8-lane rows, row i at
// byte offset 32*i. exp(a) is computed as 2^k * P(r), k = round(a log2 e),
// r = a - k ln2 (two-part ln2), P the degree-7 Taylor polynomial of e^r.

#define C_2K       0(R8)
#define C_2KC      32(R8)
#define C_HI       64(R8)
#define C_LO       96(R8)
#define C_LOG2E    128(R8)
#define C_LN2HI    160(R8)
#define C_LN2LO    192(R8)
#define C_P7       224(R8)
#define C_P6       256(R8)
#define C_P5       288(R8)
#define C_P4       320(R8)
#define C_P3       352(R8)
#define C_P2       384(R8)
#define C_ONE      416(R8)
#define C_HALF     448(R8)
#define C_BIAS     480(R8)
#define C_6KC      512(R8)
#define C_EHI      544(R8)
#define C_ELO      576(R8)

// EXP8 sets Y4 = exp(Y2) for Y2 already clamped; clobbers Y2, Y3, Y5.
#define EXP8 \
	VMULPS C_LOG2E, Y2, Y3 \
	VROUNDPS $0, Y3, Y3 \
	VFNMADD231PS C_LN2HI, Y3, Y2 \
	VFNMADD231PS C_LN2LO, Y3, Y2 \
	VMOVUPS C_P7, Y4 \
	VFMADD213PS C_P6, Y2, Y4 \
	VFMADD213PS C_P5, Y2, Y4 \
	VFMADD213PS C_P4, Y2, Y4 \
	VFMADD213PS C_P3, Y2, Y4 \
	VFMADD213PS C_P2, Y2, Y4 \
	VFMADD213PS C_ONE, Y2, Y4 \
	VFMADD213PS C_ONE, Y2, Y4 \
	VCVTPS2DQ Y3, Y5 \
	VPADDD C_BIAS, Y5, Y5 \
	VPSLLD $23, Y5, Y5 \
	VMULPS Y5, Y4, Y4

// GELUQ computes, for x in Y0, e = exp(a) with a = 2u = 2 sqrt(2/pi) (x + 0.044715 x^3)
// clamped to [-87, 40] (exp underflows below -87;
// above 40, e q rounds to 1 and x q du/dx is below 1e-7 for x < 5000), q = 1/(e + 1) in Y6 and e q in Y7,
// so that tanh(u) = 1 - 2q, GELU(x) = x (1 + tanh u)/2 = x e q, and 1 - tanh^2 u
// = 4 e q^2 without cancellation. Leaves x^2 in Y1; clobbers Y2-Y5.
#define GELUQ \
	VMULPS Y0, Y0, Y1 \
	VMOVUPS C_2KC, Y2 \
	VFMADD213PS C_2K, Y1, Y2 \
	VMULPS Y0, Y2, Y2 \
	VMINPS C_HI, Y2, Y2 \
	VMAXPS C_LO, Y2, Y2 \
	EXP8 \
	VADDPS C_ONE, Y4, Y6 \
	VMOVUPS C_ONE, Y7 \
	VDIVPS Y6, Y7, Y6 \
	VMULPS Y6, Y4, Y7

// func geluAVX2(out, inp *float32, n int, c *[19][8]float32)
// out[i] = x e q (see GELUQ), n a multiple of 8.
TEXT ·geluAVX2(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ inp+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), R8
	SHRQ $3, CX
	JEQ gelu_done
gelu_loop:
	VMOVUPS (SI), Y0
	GELUQ
	VMULPS Y0, Y7, Y8
	VMOVUPS Y8, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNE gelu_loop
gelu_done:
	VZEROUPPER
	RET

// func geluDerivAVX2(out, deriv, inp *float32, n int, c *[19][8]float32)
// out as geluAVX2; deriv[i] = (1 + tanh u)/2 + x/2 (1 - tanh^2 u) du/dx
// = e q (1 + x q (2K + 6 K 0.044715 x^2)), K = sqrt(2/pi).
TEXT ·geluDerivAVX2(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ deriv+8(FP), DX
	MOVQ inp+16(FP), SI
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), R8
	SHRQ $3, CX
	JEQ gelud_done
gelud_loop:
	VMOVUPS (SI), Y0
	GELUQ
	VMULPS Y0, Y7, Y8              // GELU
	VMOVUPS C_6KC, Y9
	VFMADD213PS C_2K, Y1, Y9       // 2K + 6Kc x^2
	VMULPS Y6, Y0, Y10             // x q
	VMULPS Y9, Y10, Y10
	VFMADD213PS Y7, Y7, Y10        // e q (1 + ...)
	VMOVUPS Y8, (DI)
	VMOVUPS Y10, (DX)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNE gelud_loop
gelud_done:
	VZEROUPPER
	RET

// func expShiftAVX2(dst, src *float32, n int, shift, scale float32, c *[19][8]float32)
// dst[i] = exp((src[i] - shift) * scale), the argument clamped to [-87, 88];
// n a multiple of 8.
TEXT ·expShiftAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS shift+24(FP), Y8
	VBROADCASTSS scale+28(FP), Y9
	MOVQ c+32(FP), R8
	SHRQ $3, CX
	JEQ exp_done
exp_loop:
	VMOVUPS (SI), Y2
	VSUBPS Y8, Y2, Y2
	VMULPS Y9, Y2, Y2
	VMINPS C_EHI, Y2, Y2
	VMAXPS C_ELO, Y2, Y2
	EXP8
	VMOVUPS Y4, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNE exp_loop
exp_done:
	VZEROUPPER
	RET

// func colSumAVX2(dst, src *float32, rows, n, stride int)
// dst[j] += src[0*stride+j] + src[1*stride+j] + ... in row order, one VADDPS
// per term (no reassociation), for j < n, n a multiple of 8.
TEXT ·colSumAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), R9
	MOVQ n+24(FP), CX
	MOVQ stride+32(FP), R10
	SHLQ $2, R10
cs_block32:
	CMPQ CX, $32
	JLT cs_block8
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	MOVQ SI, AX
	MOVQ R9, BX
	TESTQ BX, BX
	JEQ cs_store32
cs_loop32:
	VADDPS (AX), Y0, Y0
	VADDPS 32(AX), Y1, Y1
	VADDPS 64(AX), Y2, Y2
	VADDPS 96(AX), Y3, Y3
	ADDQ R10, AX
	DECQ BX
	JNE cs_loop32
cs_store32:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, DI
	ADDQ $128, SI
	SUBQ $32, CX
	JMP cs_block32
cs_block8:
	CMPQ CX, $8
	JLT cs_done
	VMOVUPS (DI), Y0
	MOVQ SI, AX
	MOVQ R9, BX
	TESTQ BX, BX
	JEQ cs_store8
cs_loop8:
	VADDPS (AX), Y0, Y0
	ADDQ R10, AX
	DECQ BX
	JNE cs_loop8
cs_store8:
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $8, CX
	JMP cs_block8
cs_done:
	VZEROUPPER
	RET

// HSUM reduces the 8 lanes of Y0 to X0's lowest lane; clobbers Y1.
#define HSUM \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS X1, X0, X0 \
	VPERMILPS $0x4e, X0, X1 \
	VADDPS X1, X0, X0 \
	VPERMILPS $0xb1, X0, X1 \
	VADDPS X1, X0, X0

// func sumAVX2(x *float32, n int) float32
// Sum of x[0:n], n a multiple of 8, in 8 lane-wise partial sums.
TEXT ·sumAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	VXORPS Y0, Y0, Y0
sum_loop:
	VADDPS (SI), Y0, Y0
	ADDQ $32, SI
	DECQ CX
	JNE sum_loop
	HSUM
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func sqDevAVX2(x *float32, n int, m float32) float32
// Sum of (x[i] - m)^2, n a multiple of 8, in 8 lane-wise partial sums.
TEXT ·sqDevAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS m+16(FP), Y2
	SHRQ $3, CX
	VXORPS Y0, Y0, Y0
sq_loop:
	VMOVUPS (SI), Y3
	VSUBPS Y2, Y3, Y3
	VFMADD231PS Y3, Y3, Y0
	ADDQ $32, SI
	DECQ CX
	JNE sq_loop
	HSUM
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func lnNormAVX2(out, x, w, b *float32, n int, m, rs float32)
// out[i] = (x[i] - m) rs w[i] + b[i], n a multiple of 8.
TEXT ·lnNormAVX2(SB), NOSPLIT, $0-48
	MOVQ out+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DX
	MOVQ b+24(FP), BX
	MOVQ n+32(FP), CX
	VBROADCASTSS m+40(FP), Y2
	VBROADCASTSS rs+44(FP), Y3
	SHRQ $3, CX
norm_loop:
	VMOVUPS (SI), Y0
	VSUBPS Y2, Y0, Y0
	VMULPS Y3, Y0, Y0
	VMOVUPS (DX), Y1
	VFMADD213PS (BX), Y1, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $32, BX
	DECQ CX
	JNE norm_loop
	VZEROUPPER
	RET

// func lnDotsAVX2(dy, w, x *float32, n int, m float32) (s1, s2 float32)
// s1 = sum dy[i] w[i], s2 = sum dy[i] w[i] (x[i] - m), n a multiple of 8.
TEXT ·lnDotsAVX2(SB), NOSPLIT, $0-48
	MOVQ dy+0(FP), SI
	MOVQ w+8(FP), DX
	MOVQ x+16(FP), BX
	MOVQ n+24(FP), CX
	VBROADCASTSS m+32(FP), Y2
	SHRQ $3, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y4, Y4, Y4
dots_loop:
	VMOVUPS (SI), Y3
	VMULPS (DX), Y3, Y3
	VADDPS Y3, Y0, Y0
	VMOVUPS (BX), Y5
	VSUBPS Y2, Y5, Y5
	VFMADD231PS Y5, Y3, Y4
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, BX
	DECQ CX
	JNE dots_loop
	HSUM
	VMOVSS X0, s1+40(FP)
	VMOVAPS Y4, Y0
	HSUM
	VMOVSS X0, s2+44(FP)
	VZEROUPPER
	RET

// func lnBwdRowAVX2(d, dy, w, x *float32, n int, m, rs, s1, s2 float32)
// d[i] += (dy[i] w[i] - s1 - (x[i] - m) rs s2) rs, n a multiple of 8.
TEXT ·lnBwdRowAVX2(SB), NOSPLIT, $0-56
	MOVQ d+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ w+16(FP), DX
	MOVQ x+24(FP), BX
	MOVQ n+32(FP), CX
	VBROADCASTSS m+40(FP), Y6
	VBROADCASTSS rs+44(FP), Y7
	VBROADCASTSS s1+48(FP), Y8
	VBROADCASTSS s2+52(FP), Y9
	SHRQ $3, CX
bwd_loop:
	VMOVUPS (SI), Y0
	VMULPS (DX), Y0, Y0            // g w
	VSUBPS Y8, Y0, Y0              // - s1
	VMOVUPS (BX), Y1
	VSUBPS Y6, Y1, Y1
	VMULPS Y7, Y1, Y1              // xhat
	VFNMADD231PS Y9, Y1, Y0        // - xhat s2
	VMOVUPS (DI), Y2
	VFMADD231PS Y7, Y0, Y2         // d += (...) rs
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $32, BX
	DECQ CX
	JNE bwd_loop
	VZEROUPPER
	RET

// func lnColAVX2(gw, gb, dy, x *float32, n int, m, rs float32)
// gw[i] += dy[i] (x[i] - m) rs, gb[i] += dy[i], n a multiple of 8.
TEXT ·lnColAVX2(SB), NOSPLIT, $0-48
	MOVQ gw+0(FP), DI
	MOVQ gb+8(FP), DX
	MOVQ dy+16(FP), SI
	MOVQ x+24(FP), BX
	MOVQ n+32(FP), CX
	VBROADCASTSS m+40(FP), Y6
	VBROADCASTSS rs+44(FP), Y7
	SHRQ $3, CX
col_loop:
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y3
	VADDPS Y0, Y3, Y3
	VMOVUPS Y3, (DX)
	VMOVUPS (BX), Y1
	VSUBPS Y6, Y1, Y1
	VMULPS Y7, Y1, Y1              // xhat
	VMOVUPS (DI), Y2
	VFMADD231PS Y1, Y0, Y2         // gw += g xhat
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $32, BX
	DECQ CX
	JNE col_loop
	VZEROUPPER
	RET
