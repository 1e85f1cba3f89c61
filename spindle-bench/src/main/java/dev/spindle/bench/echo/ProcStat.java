package dev.spindle.bench.echo;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What Linux's /proc says about a process (resident memory, CPU time) and the machine (busy time); -1 without /proc. */
final class ProcStat {
  /** Clock ticks per second of the utime/stime fields (USER_HZ, 100 on every Linux we run on). */
  private static final double TICKS_PER_S = 100;

  private ProcStat() {}

  /** VmRSS of process {@code pid}, in bytes. */
  static long rssBytes(long pid) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
      }
    } catch (IOException | NumberFormatException ignored) {
      // gone, or not Linux
    }
    return -1;
  }

  /** CPU time the whole machine has spent busy (user, nice, system, irq, softirq; all cores), in seconds. */
  static double machineBusySeconds() {
    try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/stat"))) {
      String[] f = r.readLine().trim().split("\\s+"); // cpu user nice system idle iowait irq softirq steal ...
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7}) busy += Long.parseLong(f[i]);
      return busy / TICKS_PER_S;
    } catch (IOException | RuntimeException ignored) {
      return -1;
    }
  }

  /** User + system CPU time of process {@code pid} (all its threads), in seconds. */
  static double cpuSeconds(long pid) {
    try {
      String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // after "pid (comm) ": state is field 3, utime field 14, stime field 15; comm may hold spaces and ')'
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_S;
    } catch (IOException | RuntimeException ignored) {
      return -1;
    }
  }
}
