package io.ringline.nio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ProcNetUdp} on tables in the kernel's format (the live tables are used by {@link NioUdpDropsTest}). */
class ProcNetUdpTest {

    private static final String HEADER4 = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode ref pointer drops            \n";
    private static final String HEADER6 = "  sl  local_address                         remote_address                        st"
            + " tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n";

    /** A line of /proc/net/udp for a socket on 127.0.0.1:{@code port}. */
    private static String line4(int sl, int port, long inode, long drops) {
        return String.format("%5d: 0100007F:%04X 00000000:0000 07 00000000:00000000 00:00000000 00000000     0"
                + "        0 %d 2 00000000d80e1415 %d       %n", sl, port, inode, drops);
    }

    /** A line of /proc/net/udp6 for a socket on [::1]:{@code port}. */
    private static String line6(int sl, int port, long inode, long drops) {
        return String.format("%5d: 00000000000000000000000001000000:%04X 00000000000000000000000000000000:0000 07"
                + " 00000000:00000000 00:00000000 00000000  1000        0 %d 2 0000000000000000 %d%n", sl, port, inode, drops);
    }

    @Test
    void findsInodesByPortAndDropsByInode(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("udp");
        Files.writeString(file, HEADER4 + line4(1, 0x8A9F, 4021436, 0) + line4(2, 53, 17, 3) + line4(3, 0x8A9F, 99, 12345));
        try (ProcNetUdp t = new ProcNetUdp(file)) {
            assertTrue(t.available());
            assertArrayEquals(new long[] {4021436, 99}, t.inodes(0x8A9F));
            assertArrayEquals(new long[] {4021436, 17, 99}, t.inodes(0), "port 0: every socket");
            assertEquals(12345, t.drops(0x8A9F, 99));
            assertEquals(0, t.drops(0x8A9F, 4021436));
            assertEquals(3, t.drops(53, 17));
            assertEquals(-1, t.drops(53, 99), "the port must match too");
            assertEquals(-1, t.drops(1, 1), "absent");
            assertEquals(12345, t.drops(0x8A9F, 99), "read again from the top");
        }
    }

    @Test
    void readsTheIpv6Format(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("udp6");
        Files.writeString(file, HEADER6 + line6(0, 0xA1B2, 55555, 7));
        try (ProcNetUdp t = new ProcNetUdp(file)) {
            assertArrayEquals(new long[] {55555}, t.inodes(0xA1B2));
            assertEquals(7, t.drops(0xA1B2, 55555));
        }
    }

    /** The table is read in 16 KiB pieces: lines across a piece's end are still whole. */
    @Test
    void readsATableLargerThanItsBuffer(@TempDir Path dir) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER4);
        for (int i = 0; i < 2000; i++) {
            sb.append(line4(i, 10_000 + i % 7, 1_000_000 + i, i));
        }
        Path file = dir.resolve("udp");
        Files.writeString(file, sb);
        try (ProcNetUdp t = new ProcNetUdp(file)) {
            assertEquals(1999, t.drops(10_000 + 1999 % 7, 1_000_000 + 1999));
            assertEquals(2000, t.inodes(0).length);
            assertEquals(2000 / 7 + 1, t.inodes(10_000).length);
        }
    }

    @Test
    void newInodeIsTheOneNewSocketOnThePortElseNone(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("udp");
        Files.writeString(file, HEADER4 + line4(1, 5000, 10, 0));
        try (ProcNetUdp t = new ProcNetUdp(file)) {
            long[] before = t.inodes(5000);
            assertEquals(-1, t.newInode(5000, before), "nothing new");
            Files.writeString(file, HEADER4 + line4(1, 5000, 10, 0) + line4(2, 5000, 11, 0) + line4(3, 6000, 12, 0));
            assertEquals(11, t.newInode(5000, before), "the file is read again: one new socket on the port");
            Files.writeString(file, HEADER4 + line4(1, 5000, 10, 0) + line4(2, 5000, 11, 0) + line4(3, 5000, 13, 0));
            assertEquals(-1, t.newInode(5000, before), "two new sockets on the port: ambiguous");
        }
    }

    @Test
    void aMissingTableIsUnavailableAndFindsNothing(@TempDir Path dir) throws IOException {
        try (ProcNetUdp t = new ProcNetUdp(dir.resolve("absent"))) {
            assertFalse(t.available());
            assertEquals(0, t.inodes(0).length);
            assertEquals(-1, t.drops(1, 1));
        }
    }
}
