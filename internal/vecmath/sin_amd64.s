//go:build amd64 && !purego && !amd64.v3

#include "textflag.h"

// Offsets of sinTable's rows (32 bytes each).
#define T_4PI 0
#define T_PI4A 32
#define T_PI4B 64
#define T_PI4C 96
#define T_ONE 128
#define T_HALF 160
#define T_COS 192
#define T_SIN 384
#define T_SIGN 576
#define T_ABS 608
#define T_I1 640
#define T_I7 672
#define T_I3 704
#define T_I2 736
#define T_THR 768

// func sinAVX2(dst, src *float64, n int, tab *[25][4]uint64) (fix int)
//
// fix is nonzero when some lane lies outside the vector path (x == 0, NaN,
// |x| >= 2^29, ±Inf), whose result the caller takes from math.Sin.
//
// Four lanes at a time, math.Sin's steps in its order, each product and sum
// rounded on its own (no fused multiply-add):
//   j = int(|x| * 4/Pi); j += j&1; y = float64(j); j &= 7
//   z = ((|x| - y*pi4A) - y*pi4B) - y*pi4C
//   if j > 3 { sign = !sign; j -= 4 }
//   j == 2: 1 - 0.5*zz + zz*zz*P(zz), else z + z*zz*Q(zz), with zz = z*z.
// j is always even after the rounding up, so math.Sin's test j == 1 || j == 2
// is j == 2 here.
TEXT ·sinAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ tab+24(FP), DX
	XORQ R8, R8
	VXORPD Y15, Y15, Y15        // 0
	SHRQ $2, CX
	JZ   done

loop:
	VMOVUPD (SI), Y0
	VANDPD  T_ABS(DX), Y0, Y1   // ax = |x|
	VCMPPD  $5, T_THR(DX), Y1, Y14 // !(ax < 2^29): NaN, ±Inf, large
	VCMPPD  $0, Y15, Y0, Y13    // x == 0
	VORPD   Y13, Y14, Y14
	VMOVMSKPD Y14, AX
	ORQ     AX, R8
	VANDPD  T_SIGN(DX), Y0, Y2  // the sign of x
	VMULPD  T_4PI(DX), Y1, Y3   // ax * 4/Pi
	VCVTTPD2DQY Y3, X4          // j, truncated (< 2^31 for ax < 2^29)
	VPAND   T_I1(DX), X4, X5
	VPADDD  X5, X4, X4          // j += j&1
	VCVTDQ2PD X4, Y6            // y = float64(j)
	VPAND   T_I7(DX), X4, X4    // j &= 7

	VMULPD T_PI4A(DX), Y6, Y7
	VSUBPD Y7, Y1, Y7           // ax - y*pi4A
	VMULPD T_PI4B(DX), Y6, Y8
	VSUBPD Y8, Y7, Y7
	VMULPD T_PI4C(DX), Y6, Y8
	VSUBPD Y8, Y7, Y7           // z

	VPCMPGTD  T_I3(DX), X4, X5  // j > 3
	VPMOVSXDQ X5, Y5
	VANDPD    T_SIGN(DX), Y5, Y5
	VXORPD    Y5, Y2, Y2        // sign = !sign where j > 3
	VPAND     T_I3(DX), X4, X4  // j -= 4 where j > 3
	VPCMPEQD  T_I2(DX), X4, X5  // j == 2: the cos polynomial
	VPMOVSXDQ X5, Y5

	VMULPD Y7, Y7, Y9           // zz

	VMULPD T_COS+0(DX), Y9, Y10
	VADDPD T_COS+32(DX), Y10, Y10
	VMULPD Y9, Y10, Y10
	VADDPD T_COS+64(DX), Y10, Y10
	VMULPD Y9, Y10, Y10
	VADDPD T_COS+96(DX), Y10, Y10
	VMULPD Y9, Y10, Y10
	VADDPD T_COS+128(DX), Y10, Y10
	VMULPD Y9, Y10, Y10
	VADDPD T_COS+160(DX), Y10, Y10 // P
	VMULPD Y9, Y9, Y11
	VMULPD Y10, Y11, Y11        // zz*zz*P
	VMULPD T_HALF(DX), Y9, Y12
	VMOVUPD T_ONE(DX), Y13
	VSUBPD Y12, Y13, Y12        // 1 - 0.5*zz
	VADDPD Y11, Y12, Y12        // cos branch

	VMULPD T_SIN+0(DX), Y9, Y10
	VADDPD T_SIN+32(DX), Y10, Y10
	VMULPD Y9, Y10, Y10
	VADDPD T_SIN+64(DX), Y10, Y10
	VMULPD Y9, Y10, Y10
	VADDPD T_SIN+96(DX), Y10, Y10
	VMULPD Y9, Y10, Y10
	VADDPD T_SIN+128(DX), Y10, Y10
	VMULPD Y9, Y10, Y10
	VADDPD T_SIN+160(DX), Y10, Y10 // Q
	VMULPD Y9, Y7, Y11
	VMULPD Y10, Y11, Y11        // z*zz*Q
	VADDPD Y11, Y7, Y11         // sin branch

	VBLENDVPD Y5, Y12, Y11, Y0  // j == 2 ? cos : sin
	VXORPD    Y2, Y0, Y0
	VMOVUPD   Y0, (DI)

	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  loop

done:
	MOVQ R8, fix+32(FP)
	VZEROUPPER
	RET

// func sinAVX512(dst, src *float64, n int, tab *[25][4]uint64) (fix int)
//
// sinAVX2's steps over eight lanes (n a multiple of 8), the constants
// broadcast from the same table, the lane tests in mask registers.
TEXT ·sinAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ tab+24(FP), DX
	XORQ R8, R8
	VPXORQ Z15, Z15, Z15        // 0
	SHRQ $3, CX
	JZ   done512

loop512:
	VMOVUPD (SI), Z0
	VANDPD.BCST T_ABS(DX), Z0, Z1     // ax = |x|
	VCMPPD.BCST $5, T_THR(DX), Z1, K1 // !(ax < 2^29): NaN, ±Inf, large
	VCMPPD  $0, Z15, Z0, K2           // x == 0
	KORB    K1, K2, K1
	KMOVB   K1, AX
	ORQ     AX, R8
	VANDPD.BCST T_SIGN(DX), Z0, Z2    // the sign of x
	VMULPD.BCST T_4PI(DX), Z1, Z3     // ax * 4/Pi
	VCVTTPD2DQ Z3, Y4                 // j, truncated
	VPAND   T_I1(DX), Y4, Y5
	VPADDD  Y5, Y4, Y4                // j += j&1
	VCVTDQ2PD Y4, Z6                  // y = float64(j)
	VPAND   T_I7(DX), Y4, Y4          // j &= 7

	VMULPD.BCST T_PI4A(DX), Z6, Z7
	VSUBPD Z7, Z1, Z7                 // ax - y*pi4A
	VMULPD.BCST T_PI4B(DX), Z6, Z8
	VSUBPD Z8, Z7, Z7
	VMULPD.BCST T_PI4C(DX), Z6, Z8
	VSUBPD Z8, Z7, Z7                 // z

	VPCMPGTD T_I3(DX), Y4, K4         // j > 3
	VXORPD.BCST T_SIGN(DX), Z2, K4, Z2 // sign = !sign where j > 3
	VPAND    T_I3(DX), Y4, Y4         // j -= 4 where j > 3
	VPCMPEQD T_I2(DX), Y4, K3         // j == 2: the cos polynomial

	VMULPD Z7, Z7, Z9                 // zz

	VMULPD.BCST T_COS+0(DX), Z9, Z10
	VADDPD.BCST T_COS+32(DX), Z10, Z10
	VMULPD Z9, Z10, Z10
	VADDPD.BCST T_COS+64(DX), Z10, Z10
	VMULPD Z9, Z10, Z10
	VADDPD.BCST T_COS+96(DX), Z10, Z10
	VMULPD Z9, Z10, Z10
	VADDPD.BCST T_COS+128(DX), Z10, Z10
	VMULPD Z9, Z10, Z10
	VADDPD.BCST T_COS+160(DX), Z10, Z10 // P
	VMULPD Z9, Z9, Z11
	VMULPD Z10, Z11, Z11              // zz*zz*P
	VMULPD.BCST T_HALF(DX), Z9, Z12
	VBROADCASTSD T_ONE(DX), Z13
	VSUBPD Z12, Z13, Z12              // 1 - 0.5*zz
	VADDPD Z11, Z12, Z12              // cos branch

	VMULPD.BCST T_SIN+0(DX), Z9, Z10
	VADDPD.BCST T_SIN+32(DX), Z10, Z10
	VMULPD Z9, Z10, Z10
	VADDPD.BCST T_SIN+64(DX), Z10, Z10
	VMULPD Z9, Z10, Z10
	VADDPD.BCST T_SIN+96(DX), Z10, Z10
	VMULPD Z9, Z10, Z10
	VADDPD.BCST T_SIN+128(DX), Z10, Z10
	VMULPD Z9, Z10, Z10
	VADDPD.BCST T_SIN+160(DX), Z10, Z10 // Q
	VMULPD Z9, Z7, Z11
	VMULPD Z10, Z11, Z11              // z*zz*Q
	VADDPD Z11, Z7, Z11               // sin branch

	VBLENDMPD Z12, Z11, K3, Z0        // j == 2 ? cos : sin
	VXORPD    Z2, Z0, Z0
	VMOVUPD   Z0, (DI)

	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop512

done512:
	MOVQ R8, fix+32(FP)
	VZEROUPPER
	RET
