package io.ringline.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of a process from /proc/&lt;pid&gt;/stat (utime + stime), in clock ticks. Linux only. */
public final class ProcStat {
    private ProcStat() {}

    /** utime + stime in clock ticks, or -1 if unreadable. */
    public static long cpuTicks(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name (field 2) may contain spaces and ')': fields resume after the last ')'
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" +");
            // f[0] is field 3 (state); utime is field 14, stime field 15
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Clock ticks per second (USER_HZ); 100 on every mainstream Linux. Overridable with -Dbench.clkTck. */
    public static long clockTicksPerSecond() {
        return Long.getLong("bench.clkTck", 100);
    }
}
