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
