# Generates bf16_amd64.s (run: python3 gen_bf16_amd64.py, or go generate).
#
# The bf16 micro-kernel: an MR x 32 tile of C held in 2*MR zmm accumulators.
# A and B are bf16 "pair" matrices: a dword holds two bf16 values, the one of
# the even k index in its low half and the odd one in its high half. Per pair
# step q, the two B vectors (32 columns' pairs) are loaded once, and each row's
# pair of A is broadcast to all lanes and multiplied into its row by
# VDPBF16PS (acc += a_odd*b_odd, then acc += a_even*b_even, each sum rounded
# to float32 with denormals flushed). Go's assembler has no AVX512-BF16
# instructions, so VDPBF16PS is emitted as bytes (vdpbf16ps below encodes it;
# objdump shows the instruction).
#
# The conversions from float32 are VCVTNE2PS2BF16's: round to nearest even,
# float32 subnormals to zero, NaNs quiet (ToBF16 in bf16.go does the same).
import sys


def vdpbf16ps(d, s1, s2):
    """Bytes of VDPBF16PS zmm d, zmm s1, zmm s2 (EVEX.512.F3.0F38.W0 52 /r, register form)."""
    p0 = (((~d >> 3) & 1) << 7) | (((~s2 >> 4) & 1) << 6) | (((~s2 >> 3) & 1) << 5) | (((~d >> 4) & 1) << 4) | 0b10
    p1 = ((~s1 & 0xF) << 3) | (1 << 2) | 0b10
    p2 = (0b10 << 5) | (((~s1 >> 4) & 1) << 3)
    modrm = 0xC0 | ((d & 7) << 3) | (s2 & 7)
    bs = [0x62, p0, p1, p2, 0x52, modrm]
    return "\t" + "; ".join(f"BYTE ${b:#04x}" for b in bs) + f" // VDPBF16PS Z{s2}, Z{s1}, Z{d}"


BASES = ["AX", "SI", "DI", "R13"]  # row i of A at BASES[i//3] + (i%3)*rsa


def arow(i):
    b = BASES[i // 3]
    return [f"({b})", f"({b})(R8*1)", f"({b})(R8*2)"][i % 3]


def kernel(name, MR):
    NV = 2
    nacc = MR * NV
    breg = [nacc + v for v in range(NV)]
    nb = 32 - nacc - NV
    bcast = [nacc + NV + t for t in range(min(nb, 4))]
    assert len(bcast) >= 2
    out = []
    w = out.append
    w(f"// func {name}(kq int, a *uint32, rsa, csa int, b *uint32, rsb int, c *float32, ldc int, acc int)")
    w("//")
    w(f"// C[0:{MR}, 0:32] (row stride ldc) = (acc != 0 ? C : 0) + S, where S[i,j] is")
    w("// the VDPBF16PS sum over pair steps q = 0, 1, ..., kq-1, from zero, of")
    w("// a[i*rsa+q*csa] and b[q*rsb+j] (dwords of bf16 pairs). kq >= 1.")
    w(f"TEXT ·{name}(SB), NOSPLIT, $0-72")
    w("\tMOVQ kq+0(FP), CX")
    w("\tMOVQ a+8(FP), AX")
    w("\tMOVQ rsa+16(FP), R8")
    w("\tMOVQ csa+24(FP), R9")
    w("\tMOVQ b+32(FP), BX")
    w("\tMOVQ rsb+40(FP), R12")
    w("\tMOVQ c+48(FP), DX")
    w("\tMOVQ ldc+56(FP), R10")
    w("\tMOVQ acc+64(FP), R11")
    w("\tSHLQ $2, R8  // rsa in bytes")
    w("\tSHLQ $2, R9  // csa in bytes")
    w("\tSHLQ $2, R12 // rsb in bytes")
    w("\tSHLQ $2, R10 // ldc in bytes")
    for t in range(1, (MR + 2) // 3):
        w(f"\tLEAQ ({BASES[t-1]})(R8*2), {BASES[t]}")
        w(f"\tADDQ R8, {BASES[t]} // rows {3*t}..{3*t+2}")
    for r in range(nacc):
        w(f"\tVPXORD Z{r}, Z{r}, Z{r}")

    def step():
        s = [f"\tVMOVDQU32 {v * 64}(BX), Z{breg[v]}" for v in range(NV)]
        for i in range(MR):
            t = bcast[i % len(bcast)]
            s.append(f"\tVPBROADCASTD {arow(i)}, Z{t}")
            for v in range(NV):
                s.append(vdpbf16ps(NV * i + v, breg[v], t))
        for t in range((MR + 2) // 3):
            s.append(f"\tADDQ R9, {BASES[t]}")
        s.append("\tADDQ R12, BX")
        return s

    U = 2
    w("\tMOVQ CX, R14")
    w(f"\tSHRQ $1, R14 // kq / {U}")
    w(f"\tJEQ {name}_tail")
    w(f"{name}_loop{U}:")
    for p in range(U):
        out.extend(step())
    w("\tDECQ R14")
    w(f"\tJNE {name}_loop{U}")
    w(f"{name}_tail:")
    w(f"\tANDQ ${U - 1}, CX")
    w(f"\tJEQ {name}_store")
    out.extend(step())
    w(f"{name}_store:")
    w("\tTESTQ R11, R11")
    w(f"\tJEQ {name}_overwrite")
    for i in range(MR):
        for v in range(NV):
            w(f"\tVADDPS {v * 64}(DX), Z{NV * i + v}, Z{NV * i + v}")
        for v in range(NV):
            w(f"\tVMOVUPS Z{NV * i + v}, {v * 64}(DX)")
        if i < MR - 1:
            w("\tADDQ R10, DX")
    w("\tVZEROUPPER")
    w("\tRET")
    w(f"{name}_overwrite:")
    for i in range(MR):
        for v in range(NV):
            w(f"\tVMOVUPS Z{NV * i + v}, {v * 64}(DX)")
        if i < MR - 1:
            w("\tADDQ R10, DX")
    w("\tVZEROUPPER")
    w("\tRET")
    return "\n".join(out) + "\n"


def evex(opc, pp, d, s1, s2, name):
    """Bytes of an EVEX.512.0F38.W0 instruction opc /r, register form: d the
    ModRM.reg register, s1 the EVEX.vvvv one, s2 the ModRM.rm one."""
    p0 = (((~d >> 3) & 1) << 7) | (((~s2 >> 4) & 1) << 6) | (((~s2 >> 3) & 1) << 5) | (((~d >> 4) & 1) << 4) | 0b10
    p1 = ((~s1 & 0xF) << 3) | (1 << 2) | pp
    p2 = (0b10 << 5) | (((~s1 >> 4) & 1) << 3)
    bs = [0x62, p0, p1, p2, opc, 0xC0 | ((d & 7) << 3) | (s2 & 7)]
    return "\t" + "; ".join(f"BYTE ${b:#04x}" for b in bs) + f" // {name}"


def cvt2(d, hi, lo):
    """VCVTNE2PS2BF16: Z{d}'s 32 words = bf16 of Z{lo}'s 16 floats, then of Z{hi}'s."""
    return evex(0x72, 0b11, d, hi, lo, f"VCVTNE2PS2BF16 Z{lo}, Z{hi}, Z{d}")


def pair_loop(w, label, r0, r1, dst):
    """The loop of 16 pairs a step: rows r0 and r1 (float32) into dst (pair
    dwords), CX steps, Z31 holding interleave<>."""
    w(f"{label}:")
    w(f"\tVMOVUPS ({r0}), Z0")
    w(f"\tVMOVUPS ({r1}), Z1")
    w(cvt2(2, 1, 0))
    w("\tVPERMW Z2, Z31, Z2")
    w(f"\tVMOVDQU32 Z2, ({dst})")
    w(f"\tADDQ $64, {r0}")
    w(f"\tADDQ $64, {r1}")
    w(f"\tADDQ $64, {dst}")
    w("\tDECQ CX")
    w(f"\tJNE {label}")


def pairrows():
    out = []
    w = out.append
    w("// func pairRowsAVX512(dst *uint32, r0, r1 *float32, n int)")
    w("//")
    w("// dst[j] = bf16(r0[j]) | bf16(r1[j]) << 16 for j < n, n a multiple of 16:")
    w("// VCVTNE2PS2BF16 converts 16 of each, VPERMW interleaves them.")
    w("TEXT ·pairRowsAVX512(SB), NOSPLIT, $0-32")
    w("\tMOVQ dst+0(FP), DI")
    w("\tMOVQ r0+8(FP), SI")
    w("\tMOVQ r1+16(FP), BX")
    w("\tMOVQ n+24(FP), CX")
    w("\tVMOVDQU16 interleave<>(SB), Z31")
    w("\tSHRQ $4, CX")
    w("\tJEQ pairRows_done")
    pair_loop(w, "pairRows_loop", "SI", "BX", "DI")
    w("pairRows_done:")
    w("\tVZEROUPPER")
    w("\tRET")
    w("")
    w("// interleave<> picks words 0, 16, 1, 17, ..., 15, 31: word j of the low half")
    w("// beside word j of the high half.")
    for j in range(16):
        w(f"DATA interleave<>+{4*j}(SB)/4, ${(j + 16) << 16 | j:#010x}")
    w("GLOBL interleave<>(SB), RODATA|NOPTR, $64")
    return "\n".join(out) + "\n"


def pairrowsn():
    out = []
    w = out.append
    w("// func pairRowsNAVX512(dst *uint32, ldd int, src *float32, lds, rows, n int)")
    w("//")
    w("// For r < rows, dst[r*ldd+j] = bf16(src[2r*lds+j]) | bf16(src[(2r+1)*lds+j]) << 16")
    w("// for j < n: pairRowsAVX512 over many pair rows in one call. rows >= 1, n a")
    w("// positive multiple of 16.")
    w("TEXT ·pairRowsNAVX512(SB), NOSPLIT, $0-48")
    w("\tMOVQ dst+0(FP), DI")
    w("\tMOVQ ldd+8(FP), R8")
    w("\tMOVQ src+16(FP), SI")
    w("\tMOVQ lds+24(FP), R9")
    w("\tMOVQ rows+32(FP), R10")
    w("\tMOVQ n+40(FP), R11")
    w("\tVMOVDQU16 interleave<>(SB), Z31")
    w("\tSHLQ $2, R8  // ldd in bytes")
    w("\tSHLQ $2, R9  // lds in bytes")
    w("\tSHRQ $4, R11 // vectors per row")
    w("pairRowsN_row:")
    w("\tMOVQ SI, AX")
    w("\tLEAQ (SI)(R9*1), BX")
    w("\tMOVQ DI, DX")
    w("\tMOVQ R11, CX")
    pair_loop(w, "pairRowsN_loop", "AX", "BX", "DX")
    w("\tLEAQ (SI)(R9*2), SI")
    w("\tADDQ R8, DI")
    w("\tDECQ R10")
    w("\tJNE pairRowsN_row")
    w("\tVZEROUPPER")
    w("\tRET")
    return "\n".join(out) + "\n"


def paircols():
    out = []
    w = out.append
    w("// func pairColsAVX512(dst *uint32, r *float32, kq int)")
    w("//")
    w("// dst[q] = bf16(r[2q]) | bf16(r[2q+1]) << 16 for q < kq, kq a multiple of 16:")
    w("// the bf16 of 32 consecutive floats, in order, are 16 such pairs.")
    w("TEXT ·pairColsAVX512(SB), NOSPLIT, $0-24")
    w("\tMOVQ dst+0(FP), DI")
    w("\tMOVQ r+8(FP), SI")
    w("\tMOVQ kq+16(FP), CX")
    w("\tSHRQ $4, CX")
    w("\tJEQ pairCols_done")
    w("pairCols_loop:")
    w("\tVMOVUPS (SI), Z0")
    w("\tVMOVUPS 64(SI), Z1")
    w(cvt2(2, 1, 0))
    w("\tVMOVDQU32 Z2, (DI)")
    w("\tADDQ $128, SI")
    w("\tADDQ $64, DI")
    w("\tDECQ CX")
    w("\tJNE pairCols_loop")
    w("pairCols_done:")
    w("\tVZEROUPPER")
    w("\tRET")
    return "\n".join(out) + "\n"


hdr = """// Code generated by gen_bf16_amd64.py; DO NOT EDIT.

//go:build amd64 && !purego

#include "textflag.h"

"""
MR = int(sys.argv[1]) if len(sys.argv) > 1 else 8
src = hdr + kernel("kernBF16AVX512", MR) + "\n" + pairrows() + "\n" + pairrowsn() + "\n" + paircols()
open("bf16_amd64.s", "w").write(src)
