//go:build amd64 && !purego

#include "textflag.h"

// func addRowAVX2(dst, src, row *float32, rows, n, ldd, lds int)
// dst[r*ldd+j] = src[r*lds+j] + row[j] for r < rows, j < n; n a multiple of 8.
TEXT ·addRowAVX2(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ row+16(FP), DX
	MOVQ rows+24(FP), CX
	MOVQ n+32(FP), R8
	MOVQ ldd+40(FP), R9
	MOVQ lds+48(FP), R10
	SHLQ $2, R8
	SHLQ $2, R9
	SHLQ $2, R10
	TESTQ CX, CX
	JEQ ar_done
ar_row:
	XORQ AX, AX
ar_c8:
	VMOVUPS (SI)(AX*1), Y0
	VADDPS (DX)(AX*1), Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, R8
	JLT ar_c8
	ADDQ R9, DI
	ADDQ R10, SI
	DECQ CX
	JNE ar_row
ar_done:
	VZEROUPPER
	RET

// func mulAVX2(dst, x, y *float32, n int)
// dst[i] = x[i] y[i] for i < n, n a multiple of 8.
TEXT ·mulAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	XORQ AX, AX
	SHLQ $2, CX
	JEQ mu_done
mu_loop:
	VMOVUPS (SI)(AX*1), Y0
	VMULPS (DX)(AX*1), Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, CX
	JLT mu_loop
mu_done:
	VZEROUPPER
	RET
