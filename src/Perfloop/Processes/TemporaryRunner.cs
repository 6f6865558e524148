using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Perfloop.Processes;

// TEMPORARY: replaced by the posix_spawn runner from helper/processes before landing.
public sealed record CommandSpec(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory)
{
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
    public string? StandardInput { get; init; }
    public static CommandSpec Shell(string commandLine, string workingDirectory) => new("/bin/sh", ["-c", commandLine], workingDirectory);
}

public sealed record ProcessResult(int ExitCode, bool TimedOut, bool Cancelled, TimeSpan WallTime, TimeSpan? UserCpu, TimeSpan? SystemCpu, long? PeakRssBytes, byte[] StdoutHead, byte[] StderrHead, long StdoutBytes, long StderrBytes, string StdoutSha256, bool OutputTruncated)
{
    public string StdoutText => Encoding.UTF8.GetString(StdoutHead);
    public string StderrText => Encoding.UTF8.GetString(StderrHead);
    public bool Succeeded => ExitCode == 0 && !TimedOut && !Cancelled;
}

public interface IProcessRunner
{
    Task<ProcessResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default);
}

public sealed class ProcessRunner : IProcessRunner
{
    public async Task<ProcessResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo(spec.FileName) { WorkingDirectory = spec.WorkingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in spec.Arguments) psi.ArgumentList.Add(a);
        foreach (var (k, v) in spec.Environment) { if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v; }
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var o = new MemoryStream(); var e = new MemoryStream();
        var t1 = p.StandardOutput.BaseStream.CopyToAsync(o, cancellationToken);
        var t2 = p.StandardError.BaseStream.CopyToAsync(e, cancellationToken);
        if (spec.StandardInput is not null) await p.StandardInput.WriteAsync(spec.StandardInput);
        p.StandardInput.Close();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(spec.Timeout);
        var timedOut = false;
        try { await p.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { timedOut = true; p.Kill(true); await p.WaitForExitAsync(CancellationToken.None); }
        await Task.WhenAll(t1, t2);
        sw.Stop();
        var ob = o.ToArray();
        return new ProcessResult(timedOut ? 137 : p.ExitCode, timedOut, false, sw.Elapsed, null, null, null, ob, e.ToArray(), ob.Length, e.Length, Convert.ToHexStringLower(SHA256.HashData(ob)), false);
    }
}
