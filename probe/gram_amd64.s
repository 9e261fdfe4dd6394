//go:build amd64 && !purego

#include "textflag.h"

// func gramBlockAVX512(c *float64, ldc int, ai, aj *float64, lda, k int, alpha float64)
//
// Z0-Z7 hold the block's sums, row r in Z(2r) (columns 0-7) and Z(2r+1)
// (8-15). Per row l of a: t_r = alpha * a[l][i0+r] broadcast, then each sum
// += t_r * a[l][j0:j0+16], the product rounded before the sum (no FMA).
TEXT ·gramBlockAVX512(SB), NOSPLIT, $0-56
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $3, R8
	MOVQ ai+16(FP), SI
	MOVQ aj+24(FP), DX
	MOVQ lda+32(FP), R9
	SHLQ $3, R9
	MOVQ k+40(FP), CX
	VBROADCASTSD alpha+48(FP), Z31
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7

loop:
	VMOVUPD (DX), Z8
	VMOVUPD 64(DX), Z9
	VBROADCASTSD (SI), Z10
	VBROADCASTSD 8(SI), Z11
	VBROADCASTSD 16(SI), Z12
	VBROADCASTSD 24(SI), Z13
	VMULPD Z31, Z10, Z10
	VMULPD Z31, Z11, Z11
	VMULPD Z31, Z12, Z12
	VMULPD Z31, Z13, Z13

	VMULPD Z8, Z10, Z14
	VMULPD Z9, Z10, Z15
	VADDPD Z14, Z0, Z0
	VADDPD Z15, Z1, Z1
	VMULPD Z8, Z11, Z16
	VMULPD Z9, Z11, Z17
	VADDPD Z16, Z2, Z2
	VADDPD Z17, Z3, Z3
	VMULPD Z8, Z12, Z18
	VMULPD Z9, Z12, Z19
	VADDPD Z18, Z4, Z4
	VADDPD Z19, Z5, Z5
	VMULPD Z8, Z13, Z20
	VMULPD Z9, Z13, Z21
	VADDPD Z20, Z6, Z6
	VADDPD Z21, Z7, Z7

	ADDQ R9, SI
	ADDQ R9, DX
	DECQ CX
	JNZ  loop

	VMOVUPD Z0, (DI)
	VMOVUPD Z1, 64(DI)
	ADDQ R8, DI
	VMOVUPD Z2, (DI)
	VMOVUPD Z3, 64(DI)
	ADDQ R8, DI
	VMOVUPD Z4, (DI)
	VMOVUPD Z5, 64(DI)
	ADDQ R8, DI
	VMOVUPD Z6, (DI)
	VMOVUPD Z7, 64(DI)
	VZEROUPPER
	RET

// func gramColAVX512(dst *float64, ai, aj *float64, lda, k, blocks int, alpha float64)
//
// dst[r] for r < 8*blocks (blocks 1 or 4) is the sum over l of
// (alpha * a[l][i0+r]) * a[l][j], a's column i0 at ai and j at aj, rows lda
// apart: rows i0.. of one column of gramUpper, in 1 or 4 chains of 8 lanes.
TEXT ·gramColAVX512(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ ai+8(FP), SI
	MOVQ aj+16(FP), DX
	MOVQ lda+24(FP), R9
	SHLQ $3, R9
	MOVQ k+32(FP), CX
	MOVQ blocks+40(FP), R10
	VBROADCASTSD alpha+48(FP), Z31
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	CMPQ R10, $4
	JEQ  loop4

loop1:
	VBROADCASTSD (DX), Z8
	VMULPD (SI), Z31, Z10
	VMULPD Z8, Z10, Z10
	VADDPD Z10, Z0, Z0
	ADDQ R9, SI
	ADDQ R9, DX
	DECQ CX
	JNZ  loop1
	VMOVUPD Z0, (DI)
	VZEROUPPER
	RET

loop4:
	VBROADCASTSD (DX), Z8
	VMULPD (SI), Z31, Z10
	VMULPD 64(SI), Z31, Z11
	VMULPD 128(SI), Z31, Z12
	VMULPD 192(SI), Z31, Z13
	VMULPD Z8, Z10, Z10
	VMULPD Z8, Z11, Z11
	VMULPD Z8, Z12, Z12
	VMULPD Z8, Z13, Z13
	VADDPD Z10, Z0, Z0
	VADDPD Z11, Z1, Z1
	VADDPD Z12, Z2, Z2
	VADDPD Z13, Z3, Z3
	ADDQ R9, SI
	ADDQ R9, DX
	DECQ CX
	JNZ  loop4
	VMOVUPD Z0, (DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, 128(DI)
	VMOVUPD Z3, 192(DI)
	VZEROUPPER
	RET
