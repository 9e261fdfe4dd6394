//go:build amd64 && !purego

#include "textflag.h"

// func keepAboveAVX512(dst *float64, mask *uint8, src *float64, rows, n int, shift *float64, lo float64) (kept int)
// KeepAbove: per row, blocks of 8 columns; the last block of a row masked to
// its n%8 columns. VCOMPRESSPD appends a block's kept values in column order.
TEXT ·keepAboveAVX512(SB), NOSPLIT, $0-64
	MOVQ dst+0(FP), DI
	MOVQ mask+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ rows+24(FP), R9
	MOVQ n+32(FP), R10
	MOVQ shift+40(FP), R11
	VBROADCASTSD lo+48(FP), Z7
	XORQ R12, R12              // kept
	MOVQ R10, CX
	ANDQ $7, CX                // columns of the last, partial block
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVB AX, K2               // its lanes
	MOVQ R10, R13
	SHRQ $3, R13               // whole blocks a row
	SHLQ $3, R10               // row stride in bytes
ka_row:
	XORQ BX, BX
	MOVQ R13, DX
	TESTQ DX, DX
	JEQ ka_tail
ka_block:
	VMOVUPD (SI)(BX*1), Z0
	VSUBPD (R11)(BX*1), Z0, Z0
	VCMPPD $0x1d, Z7, Z0, K1   // v >= lo (ordered: NaN is not kept)
	VCOMPRESSPD Z0, K1, (DI)(R12*8)
	KMOVB K1, AX
	MOVB AX, (R8)
	INCQ R8
	POPCNTL AX, AX
	ADDQ AX, R12
	ADDQ $64, BX
	DECQ DX
	JNE ka_block
ka_tail:
	TESTQ CX, CX
	JEQ ka_next
	VMOVUPD.Z (SI)(BX*1), K2, Z0
	VMOVUPD.Z (R11)(BX*1), K2, Z1
	VSUBPD Z1, Z0, Z0
	VCMPPD $0x1d, Z7, Z0, K2, K1
	VCOMPRESSPD Z0, K1, (DI)(R12*8)
	KMOVB K1, AX
	MOVB AX, (R8)
	INCQ R8
	POPCNTL AX, AX
	ADDQ AX, R12
ka_next:
	ADDQ R10, SI
	DECQ R9
	JNE ka_row
	MOVQ R12, kept+56(FP)
	VZEROUPPER
	RET

// func accumulateKeptAVX512(num, den, w *float64, mask *uint8, f *float64, rows, n int)
// AccumulateKept: a block's weights expanded from w into the lanes its mask
// byte marks (zero elsewhere), then num += w f and den += w in those lanes
// only (masked loads and stores: the other lanes are neither read nor written).
TEXT ·accumulateKeptAVX512(SB), NOSPLIT, $0-56
	MOVQ num+0(FP), DI
	MOVQ den+8(FP), DX
	MOVQ w+16(FP), R9
	MOVQ mask+24(FP), R8
	MOVQ f+32(FP), SI
	MOVQ rows+40(FP), R11
	MOVQ n+48(FP), R10
	ADDQ $7, R10
	SHRQ $3, R10               // blocks a row
	MOVQ n+48(FP), R13
	SHLQ $3, R13               // row stride in bytes
ak_row:
	XORQ BX, BX
	MOVQ R10, CX
ak_block:
	MOVBLZX (R8), AX
	INCQ R8
	TESTL AX, AX
	JEQ ak_skip
	KMOVB AX, K1
	VEXPANDPD.Z (R9), K1, Z0   // weights
	POPCNTL AX, AX
	LEAQ (R9)(AX*8), R9
	VMOVUPD.Z (SI)(BX*1), K1, Z1
	VMULPD Z1, Z0, Z1          // w f, rounded
	VMOVUPD.Z (DI)(BX*1), K1, Z2
	VADDPD Z1, Z2, Z2
	VMOVUPD Z2, K1, (DI)(BX*1)
	VMOVUPD.Z (DX)(BX*1), K1, Z3
	VADDPD Z0, Z3, Z3
	VMOVUPD Z3, K1, (DX)(BX*1)
ak_skip:
	ADDQ $64, BX
	DECQ CX
	JNE ak_block
	ADDQ R13, SI
	DECQ R11
	JNE ak_row
	VZEROUPPER
	RET
