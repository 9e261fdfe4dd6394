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

// AKMASK(i): K3 = the lanes of block i (1-based) of a row: K2 for the last
// block, else all eight. AKLOAD and AKSTORE move block i's sums between
// registers and num (DI), den (DX).
#define AKMASK(i) \
	MOVL $0xff, AX \
	KMOVB K2, R12 \
	CMPQ R10, $i \
	CMOVLEQ R12, AX \
	KMOVB AX, K3
#define AKLOAD(i, off, nsum, dsum) \
	AKMASK(i) \
	VMOVUPD.Z off(DI), K3, nsum \
	VMOVUPD.Z off(DX), K3, dsum
#define AKSTORE(i, off, nsum, dsum) \
	AKMASK(i) \
	VMOVUPD nsum, K3, off(DI) \
	VMOVUPD dsum, K3, off(DX)

// AKBLOCK(off, nsum, dsum, skip): one block of the row at SI (f), its mask
// byte at (R8), its weights from (R9), added to nsum and dsum.
#define AKBLOCK(off, nsum, dsum, skip) \
	MOVBLZX (R8), AX \
	INCQ R8 \
	TESTL AX, AX \
	JEQ skip \
	KMOVB AX, K1 \
	POPCNTL AX, AX \
	LEAQ (R9)(AX*8), BX \
	CMPQ BX, R14 \
	JGT ak_over \
	VEXPANDPD.Z (R9), K1, Z0 \
	MOVQ BX, R9 \
	VMOVUPD.Z off(SI), K1, Z1 \
	VMULPD Z1, Z0, Z1 \
	VADDPD Z1, nsum, K1, nsum \
	VADDPD Z0, dsum, K1, dsum \
skip:

// func accumulateKeptAVX512(num, den, w *float64, wlen int, mask *uint8, f *float64, rows, n int) (used int)
// AccumulateKept: a block's weights expanded from w into the lanes its mask
// byte marks (zero elsewhere), then num += w f and den += w in those lanes
// only. Rows of up to 32 columns keep their sums in registers over all the
// rows (AKBLOCK); longer ones load and store them per block (masked: the other
// lanes are neither read nor written). Returns -1, having stopped, where the
// masks mark more than wlen weights.
TEXT ·accumulateKeptAVX512(SB), NOSPLIT, $0-72
	MOVQ num+0(FP), DI
	MOVQ den+8(FP), DX
	MOVQ w+16(FP), R9
	MOVQ wlen+24(FP), R14
	LEAQ (R9)(R14*8), R14      // end of w
	MOVQ mask+32(FP), R8
	MOVQ f+40(FP), SI
	MOVQ rows+48(FP), R11
	MOVQ n+56(FP), R10
	MOVQ R10, R13
	SHLQ $3, R13               // row stride in bytes
	MOVQ R10, CX
	ANDQ $7, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	TESTQ CX, CX
	JNE ak_tailmask
	MOVL $0xff, AX
ak_tailmask:
	KMOVB AX, K2               // the lanes of a row's last block
	ADDQ $7, R10
	SHRQ $3, R10               // blocks a row
	MOVQ R9, R15               // start of w
	CMPQ R10, $4
	JGT ak_row
	// Up to 4 blocks: sums in Z8-Z11 (num) and Z12-Z15 (den).
	AKLOAD(1, 0, Z8, Z12)
	CMPQ R10, $2
	JLT ak_regs
	AKLOAD(2, 64, Z9, Z13)
	CMPQ R10, $3
	JLT ak_regs
	AKLOAD(3, 128, Z10, Z14)
	CMPQ R10, $4
	JLT ak_regs
	AKLOAD(4, 192, Z11, Z15)
ak_regs:
ak_rrow:
	AKBLOCK(0, Z8, Z12, ak_s0)
	CMPQ R10, $1
	JEQ ak_rnext
	AKBLOCK(64, Z9, Z13, ak_s1)
	CMPQ R10, $2
	JEQ ak_rnext
	AKBLOCK(128, Z10, Z14, ak_s2)
	CMPQ R10, $3
	JEQ ak_rnext
	AKBLOCK(192, Z11, Z15, ak_s3)
ak_rnext:
	ADDQ R13, SI
	DECQ R11
	JNE ak_rrow
	// Store the sums back, the last block masked to the row's columns.
	AKSTORE(1, 0, Z8, Z12)
	CMPQ R10, $2
	JLT ak_done
	AKSTORE(2, 64, Z9, Z13)
	CMPQ R10, $3
	JLT ak_done
	AKSTORE(3, 128, Z10, Z14)
	CMPQ R10, $4
	JLT ak_done
	AKSTORE(4, 192, Z11, Z15)
	JMP ak_done
ak_row:
	XORQ BX, BX
	MOVQ R10, CX
ak_block:
	MOVBLZX (R8), AX
	INCQ R8
	TESTL AX, AX
	JEQ ak_skip
	KMOVB AX, K1
	POPCNTL AX, AX
	LEAQ (R9)(AX*8), R12
	CMPQ R12, R14
	JGT ak_over
	VEXPANDPD.Z (R9), K1, Z0   // weights
	MOVQ R12, R9
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
ak_done:
	SUBQ R15, R9
	SHRQ $3, R9
	MOVQ R9, used+64(FP)
	VZEROUPPER
	RET
ak_over:
	MOVQ $-1, used+64(FP)
	VZEROUPPER
	RET
