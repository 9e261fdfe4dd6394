//go:build amd64 && !purego

#include "textflag.h"

// func copyRowsAVX2(dst, src *float32, rows, n, ldd, lds int)
// dst[r*ldd+j] = src[r*lds+j] for r < rows, j < n; n a multiple of 8.
TEXT ·copyRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), CX
	MOVQ n+24(FP), R8
	MOVQ ldd+32(FP), R9
	MOVQ lds+40(FP), R10
	SHLQ $2, R8
	SHLQ $2, R9
	SHLQ $2, R10
	TESTQ CX, CX
	JEQ cr_done
cr_row:
	XORQ AX, AX
cr_c32:
	LEAQ 128(AX), BX
	CMPQ BX, R8
	JGT cr_c8
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS 32(SI)(AX*1), Y1
	VMOVUPS 64(SI)(AX*1), Y2
	VMOVUPS 96(SI)(AX*1), Y3
	VMOVUPS Y0, (DI)(AX*1)
	VMOVUPS Y1, 32(DI)(AX*1)
	VMOVUPS Y2, 64(DI)(AX*1)
	VMOVUPS Y3, 96(DI)(AX*1)
	MOVQ BX, AX
	JMP cr_c32
cr_c8:
	CMPQ AX, R8
	JGE cr_next
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	JMP cr_c8
cr_next:
	ADDQ R9, DI
	ADDQ R10, SI
	DECQ CX
	JNE cr_row
cr_done:
	VZEROUPPER
	RET

// func packTransA6AVX2(dst, src *float32, kc, lda, np int)
// Packs np full 6-row micro-panels of a transposed A (stored (k, m), row
// stride lda) over kc steps: for p < kc, q < np, i < 6,
// dst[q*6*kc + p*6 + i] = src[p*lda + q*6 + i]. Rows of src are read in
// order, 24 bytes per panel, so the reads are sequential.
TEXT ·packTransA6AVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ kc+16(FP), CX
	MOVQ lda+24(FP), R8
	MOVQ np+32(FP), R9
	SHLQ $2, R8          // lda in bytes
	MOVQ CX, R10
	IMULQ $24, R10       // panel stride in bytes: 6*kc*4
	TESTQ CX, CX
	JEQ pt_done
	TESTQ R9, R9
	JEQ pt_done
pt_row:
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R9, DX
pt_pan:
	MOVUPS (AX), X0
	MOVQ 16(AX), X1
	MOVUPS X0, (BX)
	MOVQ X1, 16(BX)
	ADDQ $24, AX
	ADDQ R10, BX
	DECQ DX
	JNE pt_pan
	ADDQ R8, SI
	ADDQ $24, DI
	DECQ CX
	JNE pt_row
pt_done:
	RET
