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

// func transpose8AVX2(dst *float32, ldd int, src *float32, lds int)
// dst[c*ldd+t] = src[t*lds+c] for t, c < 8.
TEXT ·transpose8AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), DX
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), CX
	SHLQ $2, DX
	SHLQ $2, CX
	LEAQ (CX)(CX*2), AX // 3 rows
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(CX*1), Y1
	VMOVUPS (SI)(CX*2), Y2
	VMOVUPS (SI)(AX*1), Y3
	LEAQ (SI)(CX*4), SI
	VMOVUPS (SI), Y4
	VMOVUPS (SI)(CX*1), Y5
	VMOVUPS (SI)(CX*2), Y6
	VMOVUPS (SI)(AX*1), Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	LEAQ (DX)(DX*2), AX
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, (DI)(DX*1)
	VMOVUPS Y10, (DI)(DX*2)
	VMOVUPS Y11, (DI)(AX*1)
	LEAQ (DI)(DX*4), DI
	VMOVUPS Y12, (DI)
	VMOVUPS Y13, (DI)(DX*1)
	VMOVUPS Y14, (DI)(DX*2)
	VMOVUPS Y15, (DI)(AX*1)
	VZEROUPPER
	RET

// func softmax4AVX2(x *[4]*float32, n, valid0 int, scale float32, tmp *[8]float32, lanes *[16]int32, c *[19][8]float32)
// For the four rows r at x[r], each n entries (n a multiple of 8, >= 8), with
// the first valid0 + r entries valid: x[r][j] = exp((x[r][j] - m) scale) / s
// for j < valid0 + r and 0 after, where m is the row's largest valid entry and
// s the sum of the exponentials (argument clamped to [-87, 88]; summed
// lane-wise, then across lanes as HSUM does). The rows' maxima are found in
// one interleaved pass; tmp receives the maxima and the reciprocal sums.
// lanes holds 0..7 and eight 8s.
TEXT ·softmax4AVX2(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), DX
	MOVQ 0(DX), AX
	MOVQ 8(DX), BX
	MOVQ 16(DX), SI
	MOVQ 24(DX), DI
	MOVQ lanes+40(FP), R9
	VMOVDQU 0(R9), Y15
	VMOVDQU 32(R9), Y14
	MOVQ valid0+16(FP), R10
	MOVQ R10, X9
	VPBROADCASTD X9, Y9
	INCQ R10
	MOVQ R10, X10
	VPBROADCASTD X10, Y10
	INCQ R10
	MOVQ R10, X11
	VPBROADCASTD X11, Y11
	INCQ R10
	MOVQ R10, X12
	VPBROADCASTD X12, Y12
	MOVL $0xff800000, R11
	MOVQ R11, X13
	VPBROADCASTD X13, Y13
	VMOVAPS Y13, Y0
	VMOVAPS Y13, Y1
	VMOVAPS Y13, Y2
	VMOVAPS Y13, Y3
	VMOVDQA Y15, Y8
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	XORQ R12, R12
sm4_max:
	VPCMPGTD Y8, Y9, Y5
	VMOVUPS (AX)(R12*1), Y4
	VBLENDVPS Y5, Y4, Y13, Y4
	VMAXPS Y4, Y0, Y0
	VPCMPGTD Y8, Y10, Y5
	VMOVUPS (BX)(R12*1), Y4
	VBLENDVPS Y5, Y4, Y13, Y4
	VMAXPS Y4, Y1, Y1
	VPCMPGTD Y8, Y11, Y5
	VMOVUPS (SI)(R12*1), Y4
	VBLENDVPS Y5, Y4, Y13, Y4
	VMAXPS Y4, Y2, Y2
	VPCMPGTD Y8, Y12, Y5
	VMOVUPS (DI)(R12*1), Y4
	VBLENDVPS Y5, Y4, Y13, Y4
	VMAXPS Y4, Y3, Y3
	VPADDD Y14, Y8, Y8
	ADDQ $32, R12
	DECQ CX
	JNE sm4_max
	MOVQ tmp+32(FP), R9
	VEXTRACTF128 $1, Y0, X4
	VMAXPS X4, X0, X0
	VPERMILPS $0x4e, X0, X4
	VMAXPS X4, X0, X0
	VPERMILPS $0xb1, X0, X4
	VMAXPS X4, X0, X0
	VMOVSS X0, 0(R9)
	VEXTRACTF128 $1, Y1, X5
	VMAXPS X5, X1, X1
	VPERMILPS $0x4e, X1, X5
	VMAXPS X5, X1, X1
	VPERMILPS $0xb1, X1, X5
	VMAXPS X5, X1, X1
	VMOVSS X1, 4(R9)
	VEXTRACTF128 $1, Y2, X6
	VMAXPS X6, X2, X2
	VPERMILPS $0x4e, X2, X6
	VMAXPS X6, X2, X2
	VPERMILPS $0xb1, X2, X6
	VMAXPS X6, X2, X2
	VMOVSS X2, 8(R9)
	VEXTRACTF128 $1, Y3, X7
	VMAXPS X7, X3, X3
	VPERMILPS $0x4e, X3, X7
	VMAXPS X7, X3, X3
	VPERMILPS $0xb1, X3, X7
	VMAXPS X7, X3, X3
	VMOVSS X3, 12(R9)
	MOVQ c+48(FP), R8
	VBROADCASTSS scale+24(FP), Y7
	VBROADCASTSS 0(R9), Y6
	VMOVDQA Y15, Y8
	VXORPS Y0, Y0, Y0
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	XORQ R12, R12
sm4_exp0:
	VMOVUPS (AX)(R12*1), Y2
	VSUBPS Y6, Y2, Y2
	VMULPS Y7, Y2, Y2
	VMINPS C_EHI, Y2, Y2
	VMAXPS C_ELO, Y2, Y2
	EXP8
	VPCMPGTD Y8, Y9, Y1
	VANDPS Y1, Y4, Y4
	VMOVUPS Y4, (AX)(R12*1)
	VADDPS Y4, Y0, Y0
	VPADDD Y14, Y8, Y8
	ADDQ $32, R12
	DECQ CX
	JNE sm4_exp0
	HSUM
	VMOVSS C_ONE, X1
	VDIVSS X0, X1, X1
	VMOVSS X1, 16(R9)
	VBROADCASTSS 4(R9), Y6
	VMOVDQA Y15, Y8
	VXORPS Y0, Y0, Y0
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	XORQ R12, R12
sm4_exp1:
	VMOVUPS (BX)(R12*1), Y2
	VSUBPS Y6, Y2, Y2
	VMULPS Y7, Y2, Y2
	VMINPS C_EHI, Y2, Y2
	VMAXPS C_ELO, Y2, Y2
	EXP8
	VPCMPGTD Y8, Y10, Y1
	VANDPS Y1, Y4, Y4
	VMOVUPS Y4, (BX)(R12*1)
	VADDPS Y4, Y0, Y0
	VPADDD Y14, Y8, Y8
	ADDQ $32, R12
	DECQ CX
	JNE sm4_exp1
	HSUM
	VMOVSS C_ONE, X1
	VDIVSS X0, X1, X1
	VMOVSS X1, 20(R9)
	VBROADCASTSS 8(R9), Y6
	VMOVDQA Y15, Y8
	VXORPS Y0, Y0, Y0
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	XORQ R12, R12
sm4_exp2:
	VMOVUPS (SI)(R12*1), Y2
	VSUBPS Y6, Y2, Y2
	VMULPS Y7, Y2, Y2
	VMINPS C_EHI, Y2, Y2
	VMAXPS C_ELO, Y2, Y2
	EXP8
	VPCMPGTD Y8, Y11, Y1
	VANDPS Y1, Y4, Y4
	VMOVUPS Y4, (SI)(R12*1)
	VADDPS Y4, Y0, Y0
	VPADDD Y14, Y8, Y8
	ADDQ $32, R12
	DECQ CX
	JNE sm4_exp2
	HSUM
	VMOVSS C_ONE, X1
	VDIVSS X0, X1, X1
	VMOVSS X1, 24(R9)
	VBROADCASTSS 12(R9), Y6
	VMOVDQA Y15, Y8
	VXORPS Y0, Y0, Y0
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	XORQ R12, R12
sm4_exp3:
	VMOVUPS (DI)(R12*1), Y2
	VSUBPS Y6, Y2, Y2
	VMULPS Y7, Y2, Y2
	VMINPS C_EHI, Y2, Y2
	VMAXPS C_ELO, Y2, Y2
	EXP8
	VPCMPGTD Y8, Y12, Y1
	VANDPS Y1, Y4, Y4
	VMOVUPS Y4, (DI)(R12*1)
	VADDPS Y4, Y0, Y0
	VPADDD Y14, Y8, Y8
	ADDQ $32, R12
	DECQ CX
	JNE sm4_exp3
	HSUM
	VMOVSS C_ONE, X1
	VDIVSS X0, X1, X1
	VMOVSS X1, 28(R9)
	VBROADCASTSS 16(R9), Y0
	VBROADCASTSS 20(R9), Y1
	VBROADCASTSS 24(R9), Y2
	VBROADCASTSS 28(R9), Y3
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	XORQ R12, R12
sm4_scale:
	VMULPS (AX)(R12*1), Y0, Y4
	VMOVUPS Y4, (AX)(R12*1)
	VMULPS (BX)(R12*1), Y1, Y5
	VMOVUPS Y5, (BX)(R12*1)
	VMULPS (SI)(R12*1), Y2, Y6
	VMOVUPS Y6, (SI)(R12*1)
	VMULPS (DI)(R12*1), Y3, Y7
	VMOVUPS Y7, (DI)(R12*1)
	ADDQ $32, R12
	DECQ CX
	JNE sm4_scale
	VZEROUPPER
	RET

// func softmaxBwd4AVX2(d, a *[4]*float32, n int, scale float32)
// For the four rows r, each n entries (n a multiple of 8, >= 8): with s_r the
// sum over j of a[r][j] d[r][j] (lane-wise FMAs, then across lanes as HSUM
// does), d[r][j] = a[r][j] (d[r][j] - s_r) scale. The rows' sums are formed in
// one interleaved pass.
TEXT ·softmaxBwd4AVX2(SB), NOSPLIT, $0-28
	MOVQ d+0(FP), DX
	MOVQ 0(DX), AX
	MOVQ 8(DX), BX
	MOVQ 16(DX), SI
	MOVQ 24(DX), DI
	MOVQ a+8(FP), DX
	MOVQ 0(DX), R8
	MOVQ 8(DX), R9
	MOVQ 16(DX), R10
	MOVQ 24(DX), R11
	VBROADCASTSS scale+24(FP), Y15
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	XORQ R12, R12
sb4_dot:
	VMOVUPS (R8)(R12*1), Y8
	VFMADD231PS (AX)(R12*1), Y8, Y0
	VMOVUPS (R9)(R12*1), Y9
	VFMADD231PS (BX)(R12*1), Y9, Y1
	VMOVUPS (R10)(R12*1), Y10
	VFMADD231PS (SI)(R12*1), Y10, Y2
	VMOVUPS (R11)(R12*1), Y11
	VFMADD231PS (DI)(R12*1), Y11, Y3
	ADDQ $32, R12
	DECQ CX
	JNE sb4_dot
	VEXTRACTF128 $1, Y0, X8
	VADDPS X8, X0, X0
	VPERMILPS $0x4e, X0, X8
	VADDPS X8, X0, X0
	VPERMILPS $0xb1, X0, X8
	VADDPS X8, X0, X0
	VBROADCASTSS X0, Y4
	VEXTRACTF128 $1, Y1, X9
	VADDPS X9, X1, X1
	VPERMILPS $0x4e, X1, X9
	VADDPS X9, X1, X1
	VPERMILPS $0xb1, X1, X9
	VADDPS X9, X1, X1
	VBROADCASTSS X1, Y5
	VEXTRACTF128 $1, Y2, X10
	VADDPS X10, X2, X2
	VPERMILPS $0x4e, X2, X10
	VADDPS X10, X2, X2
	VPERMILPS $0xb1, X2, X10
	VADDPS X10, X2, X2
	VBROADCASTSS X2, Y6
	VEXTRACTF128 $1, Y3, X11
	VADDPS X11, X3, X3
	VPERMILPS $0x4e, X3, X11
	VADDPS X11, X3, X3
	VPERMILPS $0xb1, X3, X11
	VADDPS X11, X3, X3
	VBROADCASTSS X3, Y7
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	XORQ R12, R12
sb4_loop:
	VMOVUPS (AX)(R12*1), Y0
	VSUBPS Y4, Y0, Y0
	VMULPS (R8)(R12*1), Y0, Y0
	VMULPS Y15, Y0, Y0
	VMOVUPS Y0, (AX)(R12*1)
	VMOVUPS (BX)(R12*1), Y1
	VSUBPS Y5, Y1, Y1
	VMULPS (R9)(R12*1), Y1, Y1
	VMULPS Y15, Y1, Y1
	VMOVUPS Y1, (BX)(R12*1)
	VMOVUPS (SI)(R12*1), Y2
	VSUBPS Y6, Y2, Y2
	VMULPS (R10)(R12*1), Y2, Y2
	VMULPS Y15, Y2, Y2
	VMOVUPS Y2, (SI)(R12*1)
	VMOVUPS (DI)(R12*1), Y3
	VSUBPS Y7, Y3, Y3
	VMULPS (R11)(R12*1), Y3, Y3
	VMULPS Y15, Y3, Y3
	VMOVUPS Y3, (DI)(R12*1)
	ADDQ $32, R12
	DECQ CX
	JNE sb4_loop
	VZEROUPPER
	RET

// The GELU kernels again over 16 lanes (AVX-512 F), two vectors a step: the
// same instructions lane for lane (VRNDSCALEPS $0 rounds as VROUNDPS $0 does;
// the constants are broadcast from the 8-lane table), so the same bits.

// EXP16(a, k, t, p) sets p = exp(a) for a already clamped; clobbers a, k, t.
#define EXP16(a, k, t, p) \
	VMULPS.BCST C_LOG2E, a, k \
	VRNDSCALEPS $0, k, k \
	VFNMADD231PS.BCST C_LN2HI, k, a \
	VFNMADD231PS.BCST C_LN2LO, k, a \
	VBROADCASTSS C_P7, p \
	VFMADD213PS.BCST C_P6, a, p \
	VFMADD213PS.BCST C_P5, a, p \
	VFMADD213PS.BCST C_P4, a, p \
	VFMADD213PS.BCST C_P3, a, p \
	VFMADD213PS.BCST C_P2, a, p \
	VFMADD213PS.BCST C_ONE, a, p \
	VFMADD213PS.BCST C_ONE, a, p \
	VCVTPS2DQ k, t \
	VPADDD.BCST C_BIAS, t, t \
	VPSLLD $23, t, t \
	VMULPS t, p, p

// GELUQ16(x, x2, a, k, t, e, q, eq): as GELUQ, x in x; leaves x^2 in x2,
// e in e, q in q and e q in eq.
#define GELUQ16(x, x2, a, k, t, e, q, eq) \
	VMULPS x, x, x2 \
	VBROADCASTSS C_2KC, a \
	VFMADD213PS.BCST C_2K, x2, a \
	VMULPS x, a, a \
	VMINPS.BCST C_HI, a, a \
	VMAXPS.BCST C_LO, a, a \
	EXP16(a, k, t, e) \
	VADDPS.BCST C_ONE, e, q \
	VBROADCASTSS C_ONE, eq \
	VDIVPS q, eq, q \
	VMULPS q, e, eq

// func geluAVX512(out, inp *float32, n int, c *[19][8]float32)
// geluAVX2 over n a multiple of 32.
TEXT ·geluAVX512(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ inp+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), R8
	SHRQ $5, CX
	JEQ gelu16_done
gelu16_loop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z16
	GELUQ16(Z0, Z1, Z2, Z3, Z5, Z4, Z6, Z7)
	GELUQ16(Z16, Z17, Z18, Z19, Z21, Z20, Z22, Z23)
	VMULPS Z0, Z7, Z8
	VMULPS Z16, Z23, Z24
	VMOVUPS Z8, (DI)
	VMOVUPS Z24, 64(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNE gelu16_loop
gelu16_done:
	VZEROUPPER
	RET

// GELUD16(x, x2, q, eq, g, p, s, d): from GELUQ16's outputs, g = GELU and
// d = the derivative, as in geluDerivAVX2.
#define GELUD16(x, x2, q, eq, g, p, s, d) \
	VMULPS x, eq, g \
	VBROADCASTSS C_6KC, p \
	VFMADD213PS.BCST C_2K, x2, p \
	VMULPS q, x, s \
	VMULPS p, s, s \
	VFMADD213PS eq, eq, s \
	VMOVAPS s, d

// func geluDerivAVX512(out, deriv, inp *float32, n int, c *[19][8]float32)
// geluDerivAVX2 over n a multiple of 32.
TEXT ·geluDerivAVX512(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ deriv+8(FP), DX
	MOVQ inp+16(FP), SI
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), R8
	SHRQ $5, CX
	JEQ gelud16_done
gelud16_loop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z16
	GELUQ16(Z0, Z1, Z2, Z3, Z5, Z4, Z6, Z7)
	GELUQ16(Z16, Z17, Z18, Z19, Z21, Z20, Z22, Z23)
	GELUD16(Z0, Z1, Z6, Z7, Z8, Z9, Z10, Z11)
	GELUD16(Z16, Z17, Z22, Z23, Z24, Z25, Z26, Z27)
	VMOVUPS Z8, (DI)
	VMOVUPS Z24, 64(DI)
	VMOVUPS Z11, (DX)
	VMOVUPS Z27, 64(DX)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $128, DX
	DECQ CX
	JNE gelud16_loop
gelud16_done:
	VZEROUPPER
	RET
