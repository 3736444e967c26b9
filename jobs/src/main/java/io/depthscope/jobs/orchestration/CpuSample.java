package io.depthscope.jobs.orchestration;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this process and busy time of the whole machine at one instant. Two samples around a timing
 * say how many cores the process used and how many other processes took: on a shared machine a slow
 * parallel run is otherwise indistinguishable from one that failed to run in parallel.
 *
 * @param machineBusy busy jiffies of all cores from /proc/stat (NaN where there is none)
 * @param machineTotal busy + idle jiffies of all cores (NaN where there is none)
 * @param machineCores the cores /proc/stat counts (which a container's availableProcessors may not)
 */
record CpuSample(long wallNanos, long processCpuNanos, double machineBusy, double machineTotal, int machineCores) {
    static CpuSample now() {
        double busy = Double.NaN;
        double total = Double.NaN;
        int cores = 0;
        try {
            java.util.List<String> stat = Files.readAllLines(Path.of("/proc/stat"));
            cores = (int) stat.stream().filter(l -> l.matches("cpu\\d+\\s.*")).count();
            // cpu user nice system idle iowait irq softirq steal ...: idle and iowait are the idle ones
            String[] f = stat.get(0).trim().split("\\s+");
            double idle = Double.parseDouble(f[4]) + Double.parseDouble(f[5]);
            busy = 0;
            for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
                busy += i == 4 || i == 5 ? 0 : Double.parseDouble(f[i]);
            }
            total = busy + idle;
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: the machine's share is then unknown, the process's still known
        }
        long cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
        return new CpuSample(System.nanoTime(), cpu, busy, total, cores);
    }

    /** Cores this process kept busy on average from {@code start} to this sample; NaN when unknown. */
    double processCoresSince(CpuSample start) {
        if (processCpuNanos < 0 || start.processCpuNanos < 0) {
            return Double.NaN;
        }
        return (double) (processCpuNanos - start.processCpuNanos) / (wallNanos - start.wallNanos);
    }

    /** Cores the whole machine kept busy on average from {@code start} to this sample; NaN when unknown. */
    double machineCoresSince(CpuSample start) {
        double total = machineTotal - start.machineTotal;
        return total > 0 ? (machineBusy - start.machineBusy) / total * machineCores : Double.NaN;
    }
}
