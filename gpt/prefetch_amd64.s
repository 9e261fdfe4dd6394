//go:build amd64 && !purego

#include "textflag.h"

// func prefetchRowsAsm(p *float32, rows, stride, width int)
// Hints the cache lines of rows r < rows, each the width floats from
// p + r*stride floats, into every cache level (PREFETCHT0). A hint never
// faults and changes no value.
TEXT ·prefetchRowsAsm(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ rows+8(FP), CX
	MOVQ stride+16(FP), R8
	MOVQ width+24(FP), R9
	SHLQ $2, R8
	SHLQ $2, R9
	DECQ R9           // offset of a row's last byte
	TESTQ CX, CX
	JEQ pf_done
pf_row:
	MOVQ SI, AX
	ANDQ $-64, AX     // the line of the row's first byte
	LEAQ (SI)(R9*1), DX
pf_line:
	PREFETCHT0 (AX)
	ADDQ $64, AX
	CMPQ AX, DX
	JLE pf_line
	ADDQ R8, SI
	DECQ CX
	JNE pf_row
pf_done:
	RET
