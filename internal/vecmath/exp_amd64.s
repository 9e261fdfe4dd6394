//go:build amd64 && !purego

#include "textflag.h"

// Offsets of expTable's rows (32 bytes each).
#define E_LOG2E 0
#define E_LN2U 32
#define E_LN2L 64
#define E_16TH 96
#define E_C8 128
#define E_C7 160
#define E_C6 192
#define E_C5 224
#define E_C4 256
#define E_C3 288
#define E_HALF 320
#define E_ONE 352
#define E_TWO 384
#define E_MAX 416
#define E_TINY 448
#define E_I1023 480
#define E_I1022 512
#define E_I1 544
#define E_IM52 576
#define E_MIN 608

// func expFMA(dst, src *float64, n int, tab *[20][4]uint64) (fix int)
//
// Four lanes at a time, the steps of math.Exp's amd64 assembly on a CPU with
// FMA, in its order (ck = 1/k!):
//   k = round(x * log2e); x -= k*ln2U; x -= k*ln2L (fused); x *= 1/16
//   p = (((((((c8 x + c7) x + c6) x + c5) x + c4) x + c3) x + 1/2) x + 1 (fused)
//   x *= p; three times x *= x + 2; then x = x*(x + 2) + 1 (fused)
//   e = k + 1023: e >= 1: x * 2^k; -52 <= e <= 0: (x * 2^(k+1022)) * 2^-1022;
//   e < -52: 0.
// fix is nonzero when some lane is above 708 or NaN (overflow, +Inf, NaN),
// whose result the caller takes from math.Exp.
TEXT ·expFMA(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ tab+24(FP), DX
	XORQ R8, R8
	SHRQ $2, CX
	JZ   done

loop:
	VMOVUPD (SI), Y0
	VCMPPD  $6, E_MAX(DX), Y0, Y14 // !(x <= 708): above, or NaN
	VMOVMSKPD Y14, AX
	ORQ     AX, R8
	// Below -746 the result is 0 (e < -52); computing from -746 instead
	// keeps huge and subnormal intermediates, which are slow, away.
	VMAXPD  E_MIN(DX), Y0, Y0

	VMULPD  E_LOG2E(DX), Y0, Y1
	VCVTPD2DQY Y1, X4             // k, rounded to nearest even
	VCVTDQ2PD X4, Y1              // float64(k)
	VMOVUPD E_LN2U(DX), Y2
	VFNMADD231PD Y2, Y1, Y0       // x -= k*ln2U
	VMOVUPD E_LN2L(DX), Y2
	VFNMADD231PD Y2, Y1, Y0       // x -= k*ln2L
	VMULPD  E_16TH(DX), Y0, Y0

	VMOVUPD E_C8(DX), Y1
	VFMADD213PD E_C7(DX), Y0, Y1  // Y1 = Y1*x + c7
	VFMADD213PD E_C6(DX), Y0, Y1
	VFMADD213PD E_C5(DX), Y0, Y1
	VFMADD213PD E_C4(DX), Y0, Y1
	VFMADD213PD E_C3(DX), Y0, Y1
	VFMADD213PD E_HALF(DX), Y0, Y1
	VFMADD213PD E_ONE(DX), Y0, Y1
	VMULPD  Y1, Y0, Y0
	VADDPD  E_TWO(DX), Y0, Y1
	VMULPD  Y1, Y0, Y0
	VADDPD  E_TWO(DX), Y0, Y1
	VMULPD  Y1, Y0, Y0
	VADDPD  E_TWO(DX), Y0, Y1
	VMULPD  Y1, Y0, Y0
	VADDPD  E_TWO(DX), Y0, Y1
	VFMADD213PD E_ONE(DX), Y1, Y0 // Y0 = Y0*Y1 + 1

	VPADDD   E_I1023(DX), X4, X4  // e = k + 1023
	VMOVDQU  E_I1(DX), X7
	VPCMPGTD X4, X7, X7           // e <= 0: a subnormal result (or 0)
	VMOVDQU  E_IM52(DX), X6
	VPCMPGTD X4, X6, X6           // e < -52: 0
	VPANDN   X7, X6, X7           // -52 <= e <= 0 (a 0 is not formed as a subnormal: slow)
	VPAND    E_I1022(DX), X7, X8
	VPADDD   X8, X4, X8           // e, or e + 1022 where e <= 0
	VPMOVSXDQ X8, Y8
	VPSLLQ   $52, Y8, Y8          // 2^k, or 2^(k+1022)
	VPMOVSXDQ X7, Y7
	VMOVUPD  E_ONE(DX), Y9
	VBLENDVPD Y7, E_TINY(DX), Y9, Y9 // 1, or 2^-1022 where e <= 0
	VMULPD   Y8, Y0, Y0
	VMULPD   Y9, Y0, Y0
	VPMOVSXDQ X6, Y6
	VANDNPD  Y0, Y6, Y0           // 0 where e < -52
	VMOVUPD  Y0, (DI)

	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  loop

done:
	MOVQ R8, fix+32(FP)
	VZEROUPPER
	RET

// func expAVX512(dst, src *float64, n int, tab *[20][4]uint64) (fix int)
//
// expFMA's steps over eight lanes (n a multiple of 8), the constants
// broadcast from the same table, the lane tests in mask registers.
TEXT ·expAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ tab+24(FP), DX
	XORQ R8, R8
	VMOVDQU E_I1(DX), Y13         // int32 lanes 1
	VMOVDQU E_IM52(DX), Y14       // int32 lanes -52
	SHRQ $3, CX
	JZ   done512

loop512:
	VMOVUPD (SI), Z0
	VCMPPD.BCST $6, E_MAX(DX), Z0, K1 // !(x <= 708): above, or NaN
	KMOVB   K1, AX
	ORQ     AX, R8
	VMAXPD.BCST E_MIN(DX), Z0, Z0     // from -746 (see expFMA)

	VMULPD.BCST E_LOG2E(DX), Z0, Z1
	VCVTPD2DQ Z1, Y4                  // k, rounded to nearest even
	VCVTDQ2PD Y4, Z1                  // float64(k)
	VFNMADD231PD.BCST E_LN2U(DX), Z1, Z0 // x -= k*ln2U
	VFNMADD231PD.BCST E_LN2L(DX), Z1, Z0 // x -= k*ln2L
	VMULPD.BCST E_16TH(DX), Z0, Z0

	VBROADCASTSD E_C8(DX), Z1
	VFMADD213PD.BCST E_C7(DX), Z0, Z1 // Z1 = Z1*x + c7
	VFMADD213PD.BCST E_C6(DX), Z0, Z1
	VFMADD213PD.BCST E_C5(DX), Z0, Z1
	VFMADD213PD.BCST E_C4(DX), Z0, Z1
	VFMADD213PD.BCST E_C3(DX), Z0, Z1
	VFMADD213PD.BCST E_HALF(DX), Z0, Z1
	VFMADD213PD.BCST E_ONE(DX), Z0, Z1
	VMULPD  Z1, Z0, Z0
	VADDPD.BCST E_TWO(DX), Z0, Z1
	VMULPD  Z1, Z0, Z0
	VADDPD.BCST E_TWO(DX), Z0, Z1
	VMULPD  Z1, Z0, Z0
	VADDPD.BCST E_TWO(DX), Z0, Z1
	VMULPD  Z1, Z0, Z0
	VADDPD.BCST E_TWO(DX), Z0, Z1
	VFMADD213PD.BCST E_ONE(DX), Z1, Z0 // Z0 = Z0*Z1 + 1

	VPADDD   E_I1023(DX), Y4, Y4  // e = k + 1023
	VPCMPGTD Y4, Y13, K2          // e <= 0: a subnormal result (or 0)
	VPCMPGTD Y4, Y14, K3          // e < -52: 0
	KANDNB   K2, K3, K2           // -52 <= e <= 0
	VPADDD   E_I1022(DX), Y4, K2, Y4 // e, or e + 1022 where -52 <= e <= 0
	VPMOVSXDQ Y4, Z8
	VPSLLQ   $52, Z8, Z8          // 2^k, or 2^(k+1022)
	VBROADCASTSD E_ONE(DX), Z9
	VBROADCASTSD E_TINY(DX), K2, Z9 // 1, or 2^-1022 where -52 <= e <= 0
	VMULPD   Z8, Z0, Z0
	VMULPD   Z9, Z0, Z0
	VPXORQ   Z0, Z0, K3, Z0       // 0 where e < -52
	VMOVUPD  Z0, (DI)

	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop512

done512:
	MOVQ R8, fix+32(FP)
	VZEROUPPER
	RET
