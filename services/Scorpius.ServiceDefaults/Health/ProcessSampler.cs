using System.Diagnostics;

namespace Scorpius.ServiceDefaults.Health;

/// <summary>Process CPU (share of all cores since the previous sample), memory and uptime for /health/deep.</summary>
public sealed class ProcessSampler
{
    private readonly Lock gate = new();
    private TimeSpan lastCpu;
    private long lastTimestamp;

    public ProcessSampler()
    {
        using var process = Process.GetCurrentProcess();
        lastCpu = process.TotalProcessorTime;
        lastTimestamp = Stopwatch.GetTimestamp();
    }

    public ProcessSample Sample()
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var now = Stopwatch.GetTimestamp();
        double percent;
        lock (gate)
        {
            var wall = Stopwatch.GetElapsedTime(lastTimestamp, now);
            percent = wall > TimeSpan.Zero
                ? Math.Clamp((cpu - lastCpu).TotalMilliseconds / (wall.TotalMilliseconds * Environment.ProcessorCount) * 100, 0, 100)
                : 0;
            lastCpu = cpu;
            lastTimestamp = now;
        }

        long? diskFree = null;
        try { diskFree = new DriveInfo(AppContext.BaseDirectory).AvailableFreeSpace; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException) { }

        return new ProcessSample(
            CpuPercent: Math.Round(percent, 2),
            CpuTimeSeconds: Math.Round(cpu.TotalSeconds, 3),
            ProcessorCount: Environment.ProcessorCount,
            WorkingSetBytes: process.WorkingSet64,
            GcHeapBytes: GC.GetTotalMemory(forceFullCollection: false),
            ThreadCount: process.Threads.Count,
            UptimeSeconds: Math.Round((DateTime.Now - process.StartTime).TotalSeconds, 1),
            DiskFreeBytes: diskFree);
    }
}

public sealed record ProcessSample(
    double CpuPercent, double CpuTimeSeconds, int ProcessorCount, long WorkingSetBytes, long GcHeapBytes,
    int ThreadCount, double UptimeSeconds, long? DiskFreeBytes);
