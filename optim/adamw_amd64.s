//go:build amd64 && !purego

#include "textflag.h"

// func adamwAVX2(p, gr, m, v *float32, n int, c *[8]float32)
// One AdamW step on n entries (n a multiple of 8) in float32, with the
// operations of adamwScalar in the same order and no fused multiply-adds, so
// that both give the same bits. c holds b1, 1-b1, b2, 1-b2, decay, step size,
// 1/sqrt(bias correction 2), eps.
TEXT ·adamwAVX2(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ m+16(FP), DX
	MOVQ v+24(FP), BX
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	VBROADCASTSS 0(AX), Y8   // b1
	VBROADCASTSS 4(AX), Y9   // 1 - b1
	VBROADCASTSS 8(AX), Y10  // b2
	VBROADCASTSS 12(AX), Y11 // 1 - b2
	VBROADCASTSS 16(AX), Y12 // decay
	VBROADCASTSS 20(AX), Y13 // step size
	VBROADCASTSS 24(AX), Y14 // 1/sqrt(bc2)
	VBROADCASTSS 28(AX), Y15 // eps
	SHRQ $3, CX
	JEQ adamw_done
adamw_loop:
	VMOVUPS (SI), Y0
	VMULPS (DX), Y8, Y1
	VMULPS Y0, Y9, Y2
	VADDPS Y2, Y1, Y1        // m = b1 m + (1-b1) g
	VMOVUPS Y1, (DX)
	VMULPS (BX), Y10, Y3
	VMULPS Y0, Y11, Y4
	VMULPS Y0, Y4, Y4
	VADDPS Y4, Y3, Y3        // v = b2 v + ((1-b2) g) g
	VMOVUPS Y3, (BX)
	VSQRTPS Y3, Y5
	VMULPS Y14, Y5, Y5
	VADDPS Y15, Y5, Y5       // sqrt(v)/sqrt(bc2) + eps
	VMULPS Y1, Y13, Y6
	VDIVPS Y5, Y6, Y6        // step m / (...)
	VMULPS (DI), Y12, Y7
	VSUBPS Y6, Y7, Y7        // p decay - ...
	VMOVUPS Y7, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, BX
	DECQ CX
	JNE adamw_loop
adamw_done:
	VZEROUPPER
	RET
