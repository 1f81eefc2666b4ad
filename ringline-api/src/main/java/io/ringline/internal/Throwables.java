package io.ringline.internal;

/**
 * The runtime's rule for what a handler callback or task may throw: anything but a
 * {@link VirtualMachineError} (out of memory, stack overflow, internal JVM error) is contained,
 * closing that connection or failing that task; a {@code VirtualMachineError} leaves the JVM in an
 * unknown state and is let through, which terminates the worker and with it the runtime.
 */
final class Throwables {

    private Throwables() {
    }

    /**
     * Rethrows {@code t} if it is a {@link VirtualMachineError}; returns normally otherwise, so the
     * caller contains it.
     *
     * @param t what a callback threw
     */
    static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }
}
