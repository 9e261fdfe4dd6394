//go:build amd64 && !purego

#include "textflag.h"

// func addRows16AVX2(dst, src *float64, idx *int32, rows, n int)
//
// dst[0:16] += src[idx[j]*n : idx[j]*n+16] for j = 0, 1, ..., rows-1 in
// turn: the 16 sums stay in Y0..Y3 over all the rows.
TEXT ·addRows16AVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ idx+16(FP), BX
	MOVQ rows+24(FP), CX
	MOVQ n+32(FP), R8
	SHLQ $3, R8 // row stride in bytes
	VMOVUPD 0(DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3
rows16_loop:
	MOVLQSX (BX), AX
	IMULQ R8, AX
	ADDQ SI, AX
	VADDPD 0(AX), Y0, Y0
	VADDPD 32(AX), Y1, Y1
	VADDPD 64(AX), Y2, Y2
	VADDPD 96(AX), Y3, Y3
	ADDQ $4, BX
	DECQ CX
	JNE rows16_loop
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VZEROUPPER
	RET

// func addRows4AVX2(dst, src *float64, idx *int32, rows, n int)
//
// dst[0:4] += src[idx[j]*n : idx[j]*n+4] for j in turn, the sums in Y0.
TEXT ·addRows4AVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ idx+16(FP), BX
	MOVQ rows+24(FP), CX
	MOVQ n+32(FP), R8
	SHLQ $3, R8
	VMOVUPD 0(DI), Y0
rows4_loop:
	MOVLQSX (BX), AX
	IMULQ R8, AX
	VADDPD 0(SI)(AX*1), Y0, Y0
	ADDQ $4, BX
	DECQ CX
	JNE rows4_loop
	VMOVUPD Y0, 0(DI)
	VZEROUPPER
	RET
