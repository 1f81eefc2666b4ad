package io.ringline.internal;

import io.ringline.RinglineException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Page-aligned native memory straight from the operating system, outside of any {@link Arena}:
 * {@code mmap}/{@code munmap} on Linux and macOS, {@code VirtualAlloc}/{@code VirtualFree} on
 * Windows, called through {@code java.lang.foreign}. Freeing it is a plain system call: unlike
 * closing a shared arena, it runs no handshake with (and deoptimizes no frame of) other threads.
 *
 * <p>The memory is zero-filled, readable and writable; on Linux it is populated (committed) at
 * once. Thread-safe (stateless); linked on first use.
 */
public final class PageMemory {

    private PageMemory() {
    }

    /** {@return the page size; allocations are rounded up to a multiple of it} */
    public static long pageSize() {
        return os().pageSize;
    }

    /**
     * Maps {@code bytes} bytes (a multiple of {@link #pageSize()}, see {@link #roundUp(long)}).
     *
     * @return the start address, page aligned
     * @throws RinglineException             if the system refuses (naming the size and errno)
     * @throws UnsupportedOperationException on an operating system other than Linux, macOS, Windows
     */
    public static long allocate(long bytes) {
        return os().allocate(bytes);
    }

    /**
     * Unmaps memory returned by {@link #allocate(long)}.
     *
     * @throws RinglineException if the system refuses (naming the address, size and errno)
     */
    public static void free(long address, long bytes) {
        os().free(address, bytes);
    }

    /**
     * {@return {@code bytes} rounded up to a whole number of pages}
     *
     * @throws IllegalArgumentException if {@code bytes <= 0} or the rounded size does not fit a long
     */
    public static long roundUp(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("region size must be > 0 bytes, was " + bytes);
        }
        long page = pageSize();
        if (bytes > Long.MAX_VALUE - (page - 1)) {
            throw new IllegalArgumentException("region size " + bytes + " bytes cannot be rounded up to whole pages of "
                    + page + " bytes: the largest size is " + (Long.MAX_VALUE - (page - 1)) / page * page);
        }
        return (bytes + page - 1) / page * page;
    }

    private static Os os() {
        Os os = Holder.OS;
        if (os == null) {
            throw new UnsupportedOperationException("MemoryRegion.allocate is not supported on " + Holder.OS_NAME
                    + ": ringline allocates region memory with mmap (Linux, macOS) or VirtualAlloc (Windows)");
        }
        return os;
    }

    /** The operating system's calls, linked once. */
    private static final class Holder {
        static final String OS_NAME = System.getProperty("os.name", "unknown");
        static final Os OS = create();

        private static Os create() {
            String name = OS_NAME.toLowerCase(Locale.ROOT);
            if (name.startsWith("linux")) {
                // MAP_ANONYMOUS | MAP_POPULATE: the kernel maps every page at once, cheaper than a page
                // fault per page on first touch (measured: about 0.75 ms instead of 0.9 to 1.2 ms for
                // mmap plus fill of 1 MiB on a loaded 2-core machine); a region is filled and sent anyway.
                return new Posix(0x20 | 0x8000);
            }
            if (name.startsWith("mac") || name.startsWith("darwin")) {
                return new Posix(0x1000); // MAP_ANON on macOS
            }
            if (name.startsWith("windows")) {
                return new Windows();
            }
            return null;
        }
    }

    private abstract static class Os {
        final long pageSize;
        final MethodHandle strerror;

        Os(long pageSize, MethodHandle strerror) {
            this.pageSize = pageSize;
            this.strerror = strerror;
        }

        abstract long allocate(long bytes);

        abstract void free(long address, long bytes);

        static Linker.Option captureErrno(String name) {
            return Linker.Option.captureCallState(name);
        }

        static int captured(MemorySegment state, String name) {
            long offset = Linker.Option.captureStateLayout().byteOffset(MemoryLayout.PathElement.groupElement(name));
            return state.get(JAVA_INT, offset);
        }

        String describe(int errno) {
            if (strerror == null) {
                return "error " + errno;
            }
            try {
                MemorySegment s = (MemorySegment) strerror.invokeExact(errno);
                return "errno " + errno + " (" + s.reinterpret(1024).getString(0) + ")";
            } catch (Throwable t) {
                return "errno " + errno;
            }
        }

        static MemorySegment find(SymbolLookup lookup, String name) {
            return lookup.find(name).orElseThrow(() -> new UnsupportedOperationException("native symbol " + name + " not found"));
        }

        static RinglineException rethrow(String call, Throwable t) {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            return new RinglineException(call + " failed: " + t, t);
        }
    }

    /** Linux and macOS: {@code mmap(NULL, n, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)}. */
    private static final class Posix extends Os {
        private static final int PROT_READ_WRITE = 0x1 | 0x2;
        private static final int MAP_PRIVATE = 0x02;
        private static final long MAP_FAILED = -1L;

        /** MAP_ANONYMOUS plus the platform's other flags. */
        private final int mapAnonymous;
        private final MethodHandle mmap;
        private final MethodHandle munmap;

        Posix(int mapAnonymous) {
            super(pageSize(), strerror());
            this.mapAnonymous = mapAnonymous;
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Linker.Option errno = captureErrno("errno");
            mmap = linker.downcallHandle(find(libc, "mmap"),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), errno);
            munmap = linker.downcallHandle(find(libc, "munmap"), FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), errno);
        }

        private static long pageSize() {
            Linker linker = Linker.nativeLinker();
            MethodHandle getpagesize = linker.downcallHandle(find(linker.defaultLookup(), "getpagesize"), FunctionDescriptor.of(JAVA_INT));
            try {
                return (int) getpagesize.invokeExact();
            } catch (Throwable t) {
                throw rethrow("getpagesize", t);
            }
        }

        private static MethodHandle strerror() {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(find(linker.defaultLookup(), "strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        }

        @Override
        long allocate(long bytes) {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment state = call.allocate(Linker.Option.captureStateLayout());
                long address = (long) mmap.invokeExact(state, 0L, bytes, PROT_READ_WRITE, MAP_PRIVATE | mapAnonymous, -1, 0L);
                if (address == MAP_FAILED) {
                    throw new RinglineException("mmap of " + bytes + " bytes for a memory region failed: "
                            + describe(captured(state, "errno")));
                }
                return address;
            } catch (Throwable t) {
                throw rethrow("mmap", t);
            }
        }

        @Override
        void free(long address, long bytes) {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment state = call.allocate(Linker.Option.captureStateLayout());
                int r = (int) munmap.invokeExact(state, address, bytes);
                if (r != 0) {
                    throw new RinglineException("munmap of " + bytes + " bytes at 0x" + Long.toHexString(address)
                            + " failed: " + describe(captured(state, "errno")));
                }
            } catch (Throwable t) {
                throw rethrow("munmap", t);
            }
        }
    }

    /**
     * Windows: {@code VirtualAlloc(NULL, n, MEM_COMMIT|MEM_RESERVE, PAGE_READWRITE)} and
     * {@code VirtualFree(p, 0, MEM_RELEASE)} from kernel32.
     */
    private static final class Windows extends Os {
        private static final int MEM_COMMIT = 0x1000;
        private static final int MEM_RESERVE = 0x2000;
        private static final int MEM_RELEASE = 0x8000;
        private static final int PAGE_READWRITE = 0x04;
        /** VirtualAlloc hands out whole pages of 4 KiB on every Windows platform the JDK supports. */
        private static final long PAGE = 4096;

        private final MethodHandle virtualAlloc;
        private final MethodHandle virtualFree;

        Windows() {
            super(PAGE, null);
            Linker linker = Linker.nativeLinker();
            SymbolLookup kernel32 = SymbolLookup.libraryLookup("kernel32", Arena.global());
            Linker.Option lastError = captureErrno("GetLastError");
            virtualAlloc = linker.downcallHandle(find(kernel32, "VirtualAlloc"),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT), lastError);
            virtualFree = linker.downcallHandle(find(kernel32, "VirtualFree"),
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), lastError);
        }

        @Override
        long allocate(long bytes) {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment state = call.allocate(Linker.Option.captureStateLayout());
                long address = (long) virtualAlloc.invokeExact(state, 0L, bytes, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
                if (address == 0) {
                    throw new RinglineException("VirtualAlloc of " + bytes + " bytes for a memory region failed: GetLastError "
                            + captured(state, "GetLastError"));
                }
                return address;
            } catch (Throwable t) {
                throw rethrow("VirtualAlloc", t);
            }
        }

        @Override
        void free(long address, long bytes) {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment state = call.allocate(Linker.Option.captureStateLayout());
                int ok = (int) virtualFree.invokeExact(state, address, 0L, MEM_RELEASE);
                if (ok == 0) {
                    throw new RinglineException("VirtualFree of " + bytes + " bytes at 0x" + Long.toHexString(address)
                            + " failed: GetLastError " + captured(state, "GetLastError"));
                }
            } catch (Throwable t) {
                throw rethrow("VirtualFree", t);
            }
        }
    }
}
