#!/usr/bin/env python3
"""Write a tiny static 32-bit program (i386 or 32-bit ARM, EABI) for the
compat tests (tests/vm/reliability/compat.sh, tests/live/compat.sh).

    compat32.py ARCH OUT OPEN_PATH EXEC_PATH MARKER
    ARCH: i386 (runs under x86_64's ia32 emulation) or arm (AArch32 EL0 under
    an arm64 kernel)

The program makes, as compat syscalls (int $0x80 / svc #0):
    openat(AT_FDCWD, OPEN_PATH, O_RDONLY)
    kill(getpid(), 0)
    execve(EXEC_PATH, [EXEC_PATH, MARKER], NULL)
    exit_group(97)                      (only if execve failed)

No 32-bit toolchain or C library is needed: the instructions are encoded
here, one ELF32 file with a single loadable segment (ELF header, program
headers, data, code). Standard library only (the guests' Python is trimmed).
"""
import struct
import sys

# Syscall numbers of the 32-bit ABIs (arch/x86/entry/syscalls/syscall_32.tbl,
# arch/arm/tools/syscall.tbl).
NR = {
    "i386": {"openat": 295, "getpid": 20, "kill": 37, "execve": 11, "exit_group": 252},
    "arm": {"openat": 322, "getpid": 20, "kill": 37, "execve": 11, "exit_group": 248},
}
AT_FDCWD = -100 & 0xFFFFFFFF
EXIT_CODE = 97


def i386_code(base, nr, a):
    """a: addresses of the data (path, exe, argv)."""
    def mov(reg, v):  # mov r32, imm32: B8+reg
        return bytes([0xB8 + reg]) + struct.pack("<I", v & 0xFFFFFFFF)
    EAX, ECX, EDX, EBX = 0, 1, 2, 3
    int80 = b"\xcd\x80"
    c = b""
    c += mov(EAX, nr["openat"]) + mov(EBX, AT_FDCWD) + mov(ECX, a["path"]) + mov(EDX, 0) + int80
    c += mov(EAX, nr["getpid"]) + int80
    c += b"\x89\xc3"  # mov ebx, eax (the PID)
    c += mov(EAX, nr["kill"]) + mov(ECX, 0) + int80
    c += mov(EAX, nr["execve"]) + mov(EBX, a["exe"]) + mov(ECX, a["argv"]) + mov(EDX, 0) + int80
    c += mov(EAX, nr["exit_group"]) + mov(EBX, EXIT_CODE) + int80
    return c


def arm_code(base, nr, a):
    """A32 instructions; every constant comes from a literal pool after the
    code (ldr rN, [pc, #off]), so no immediate-encoding rules apply."""
    ops = []  # ("ldr", reg, value) or ("raw", word)
    def ldr(reg, v):
        ops.append(("ldr", reg, v & 0xFFFFFFFF))
    svc = ("raw", 0xEF000000)  # svc #0
    ldr(0, AT_FDCWD); ldr(1, a["path"]); ldr(2, 0); ldr(7, nr["openat"]); ops.append(svc)
    ldr(7, nr["getpid"]); ops.append(svc)  # r0 = PID
    ldr(1, 0); ldr(7, nr["kill"]); ops.append(svc)
    ldr(0, a["exe"]); ldr(1, a["argv"]); ldr(2, 0); ldr(7, nr["execve"]); ops.append(svc)
    ldr(0, EXIT_CODE); ldr(7, nr["exit_group"]); ops.append(svc)
    pool = [op[2] for op in ops if op[0] == "ldr"]
    pool_off = 4 * len(ops)
    words, k = [], 0
    for i, op in enumerate(ops):
        if op[0] == "raw":
            words.append(op[1])
            continue
        # the PC reads as this instruction's address + 8
        off = pool_off + 4 * k - (4 * i + 8)
        assert 0 <= off < 4096
        words.append(0xE59F0000 | (op[1] << 12) | off)  # ldr rN, [pc, #off]
        k += 1
    return struct.pack("<%dI" % len(words), *words) + struct.pack("<%dI" % len(pool), *pool)


def build(arch, open_path, exe, marker):
    base = 0x08048000 if arch == "i386" else 0x00010000
    machine, flags = (3, 0) if arch == "i386" else (40, 0x05000000)  # EM_386; EM_ARM, EABI 5
    hdr = 52 + 2 * 32
    # Data first (its size does not depend on the code), then the code.
    strings = [open_path.encode() + b"\0", exe.encode() + b"\0", marker.encode() + b"\0"]
    data_off = hdr
    a = {}
    off = data_off
    for name, s in zip(("path", "exe", "marker"), strings):
        a[name] = base + off
        off += len(s)
    off = (off + 3) & ~3
    a["argv"] = base + off
    data = b"".join(strings)
    data += b"\0" * ((off - data_off) - len(data))
    data += struct.pack("<III", a["exe"], a["marker"], 0)
    code_off = data_off + len(data)
    code = (i386_code if arch == "i386" else arm_code)(base, NR[arch], a)
    total = code_off + len(code)
    entry = base + code_off
    ehdr = struct.pack("<4sBBBBB7sHHIIIIIHHHHHH", b"\x7fELF", 1, 1, 1, 0, 0, b"\0" * 7,
                       2, machine, 1, entry, 52, 0, flags, 52, 32, 2, 0, 0, 0)
    # PT_LOAD, read + write + execute, the whole file; PT_GNU_STACK, read +
    # write (without it the kernel gives an executable stack, and says so)
    phdr = struct.pack("<IIIIIIII", 1, 0, base, base, total, total, 7, 0x1000)
    phdr += struct.pack("<IIIIIIII", 0x6474E551, 0, 0, 0, 0, 0, 6, 16)
    return ehdr + phdr + data + code


def main():
    if len(sys.argv) != 6 or sys.argv[1] not in NR:
        sys.stderr.write("usage: compat32.py i386|arm OUT OPEN_PATH EXEC_PATH MARKER\n")
        return 2
    _, arch, out, open_path, exe, marker = sys.argv
    with open(out, "wb") as f:
        f.write(build(arch, open_path, exe, marker))
    import os
    os.chmod(out, 0o755)
    return 0


if __name__ == "__main__":
    sys.exit(main())
