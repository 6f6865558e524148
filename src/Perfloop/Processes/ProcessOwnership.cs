using System.Diagnostics;
using System.Globalization;
using System.Text;
using static Perfloop.Processes.LinuxNative;

namespace Perfloop.Processes;

/// <summary>
/// One loop owns every process it starts, including those that leave its process group (<c>setsid</c>, a daemon's
/// double fork). Each command gets a mark in its environment, <c>PERFLOOP_OWNER=&lt;loop id&gt;.&lt;command&gt;</c>, that
/// every descendant inherits. When the command ends (normally, on timeout or on Ctrl-C) whatever still carries its
/// mark is killed: Perfloop is a child subreaper, so such survivors are re-parented to it, and only its own children
/// need to be looked at (cheap: no scan of /proc unless one is there). After a kill -9 of Perfloop itself, the next
/// command that takes over its repository lock ends the dead loop's processes through a scan of /proc by loop id
/// (<see cref="EndLeftovers(string)"/>). The loop id is random, so a process of anything else never matches.
/// </summary>
public static class ProcessOwnership
{
    /// <summary>The environment variable holding the marks (space-separated; a nested Perfloop appends its own).</summary>
    public const string VariableName = "PERFLOOP_OWNER";

    static readonly TimeSpan ReapBudget = TimeSpan.FromSeconds(2);
    static readonly string? InheritedMarks = Environment.GetEnvironmentVariable(VariableName);
    static readonly HashSet<int> GroupsInFlight = [];
    static readonly Lock SubreaperLock = new();
    static volatile bool isSubreaper;
    static long commandSequence;
    static int? ownGroup;

    /// <summary>This process's loop id: 16 random hex digits, recorded in the repository lock.</summary>
    public static string LoopId { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>The mark of one command: its token, and the variable's value (inherited marks first).</summary>
    internal readonly record struct Mark(string Token, string Value);

    internal static Mark NextMark()
    {
        var token = string.Create(CultureInfo.InvariantCulture, $"{LoopId}.{Interlocked.Increment(ref commandSequence)}");
        return new Mark(token, string.IsNullOrWhiteSpace(InheritedMarks) ? token : InheritedMarks + " " + token);
    }

    /// <summary>True when the environment value <paramref name="marks"/> holds <paramref name="token"/>, or any token of <paramref name="loopId"/>.</summary>
    internal static bool Carries(string? marks, string? token = null, string? loopId = null) =>
        marks is not null && marks.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Any(m => (token is not null && m == token) || (loopId is not null && m.StartsWith(loopId + ".", StringComparison.Ordinal)));

    /// <summary>
    /// Makes Perfloop a child subreaper (Linux), so every orphan of its commands is re-parented to it: survivors of a
    /// command can be found among its own children, and their exit status does not linger as a zombie elsewhere.
    /// </summary>
    internal static void BecomeSubreaper()
    {
        if (isSubreaper)
        {
            return;
        }

        lock (SubreaperLock)
        {
            if (isSubreaper)
            {
                return;
            }

            if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
            {
                throw Failure("prctl(PR_SET_CHILD_SUBREAPER)", LastErrno);
            }

            isSubreaper = true;
        }
    }

    internal static bool IsSubreaper => isSubreaper;

    /// <summary>
    /// Held around a spawn and the recording of its process group as in flight (<see cref="InFlight"/>), and by the
    /// zombie reaping of <see cref="EndCommand"/>, which must never reap a command's own child before its supervisor.
    /// </summary>
    internal static Lock SpawnLock { get; } = new();

    /// <summary>Records <paramref name="groupId"/> as a running command's group; call while holding <see cref="SpawnLock"/>.</summary>
    internal static void InFlight(int groupId) => GroupsInFlight.Add(groupId);

    /// <summary>The command of <paramref name="groupId"/> has been reaped by its supervisor.</summary>
    internal static void Landed(int groupId)
    {
        lock (SpawnLock)
        {
            GroupsInFlight.Remove(groupId);
        }
    }

    static long sweeps;
    static long sweepTicks;

    /// <summary>How many end-of-command sweeps ran in this process and their total time (for bench/).</summary>
    public static (long Count, TimeSpan Total) SweepCost => (Interlocked.Read(ref sweeps), Stopwatch.GetElapsedTime(0, Interlocked.Read(ref sweepTicks)));

    /// <summary>What one end-of-command sweep did.</summary>
    internal readonly record struct SweepResult(int Killed, int Reaped, TimeSpan Duration);

    /// <summary>
    /// Kills every process still carrying <paramref name="token"/> (with its descendants) and reaps the orphaned
    /// zombies among Perfloop's children. Runs after the command's exit was timed.
    /// </summary>
    internal static SweepResult EndCommand(string token)
    {
        if (!isSubreaper)
        {
            return default;
        }

        var start = Stopwatch.GetTimestamp();
        var roots = new List<int>();
        var reaped = 0;
        var self = Environment.ProcessId;
        // Passes while some process could not be told (its environment unreadable mid-exec or while exiting): at most
        // ~50 ms, and only then; the common case is one pass.
        for (var pass = 0; pass < 25; pass++)
        {
            var unsure = false;
            var pending = new Stack<int>();
            lock (SpawnLock)
            {
                foreach (var child in ChildrenOf(self))
                {
                    if (ReadStat(child) is not { } stat || stat.Group == OwnGroup())
                    {
                        // Gone, or started through System.Diagnostics.Process (our own group): .NET reaps those itself.
                        continue;
                    }

                    if (stat.State == 'Z')
                    {
                        // An orphan that ended by itself, not one of a running command (its group would be in flight).
                        if (!GroupsInFlight.Contains(stat.Group) && ReapNow(child))
                        {
                            reaped++;
                        }
                    }
                    else
                    {
                        pending.Push(child);
                    }
                }
            }

            while (pending.Count > 0)
            {
                var pid = pending.Pop();
                if (roots.Contains(pid))
                {
                    continue;
                }

                var marks = ReadMarks(pid, out var readable);
                if (Carries(marks, token: token))
                {
                    roots.Add(pid);
                }
                else if (!readable && ReadStat(pid) is { State: not 'Z' })
                {
                    // Exiting (its memory, hence its environment, already gone) or in the middle of an exec: its children
                    // may be ours, and it may be, once the exec is done. Look below it now, and at it again shortly.
                    unsure = true;
                    foreach (var grandchild in ChildrenOf(pid))
                    {
                        pending.Push(grandchild);
                    }
                }
            }

            if (!unsure)
            {
                break;
            }

            Thread.Sleep(2);
        }

        var killed = roots.Count == 0 ? [] : KillTrees(roots);
        reaped += ReapKilled(killed);
        Interlocked.Increment(ref sweeps);
        Interlocked.Add(ref sweepTicks, Stopwatch.GetTimestamp() - start);
        return new SweepResult(killed.Count, reaped, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>
    /// Ends every process of the loop <paramref name="loopId"/> (a loop that died without cleaning up): a scan of the
    /// /proc entries of this user's processes for its mark, then SIGKILL to each and its descendants. Perfloop itself
    /// and its ancestors are never touched. Returns how many processes were killed.
    /// </summary>
    public static int EndLeftovers(string loopId)
    {
        if (!OperatingSystem.IsLinux() || string.IsNullOrWhiteSpace(loopId) || loopId == LoopId)
        {
            return 0;
        }

        return EndAllOf(loopId);
    }

    /// <summary>
    /// The backstop when Perfloop ends (every command awaited): kills whatever still carries this loop's mark, should a
    /// survivor have slipped past the end-of-command sweep (a process caught mid-exec under heavy load). Returns how many.
    /// </summary>
    public static int EndOwnLeftovers() => OperatingSystem.IsLinux() ? EndAllOf(LoopId) : 0;

    static int EndAllOf(string loopId)
    {
        var spared = AncestorsOfSelf();
        var roots = new List<int>();
        var uid = OwnUid();
        foreach (var pid in AllProcesses())
        {
            if (!spared.Contains(pid) && Uid(pid) == uid && Carries(ReadMarks(pid), loopId: loopId))
            {
                roots.Add(pid);
            }
        }

        if (roots.Count == 0)
        {
            return 0;
        }

        var killed = KillTrees(roots, spared);
        ReapKilled(killed);
        return killed.Count;
    }

    /// <summary>The processes <paramref name="roots"/> and all their descendants, stopped first (so none forks away mid-walk), then killed.</summary>
    static List<int> KillTrees(List<int> roots, HashSet<int>? spared = null)
    {
        var victims = new HashSet<int>();
        var self = Environment.ProcessId;
        for (var round = 0; round < 8; round++)
        {
            // Later rounds walk the stopped processes again: a child forked between reading the children and the stop is caught.
            var added = false;
            var frontier = new Stack<int>(round == 0 ? roots : victims);
            while (frontier.Count > 0)
            {
                var pid = frontier.Pop();
                if (pid == self || (spared is not null && spared.Contains(pid)))
                {
                    continue;
                }

                if (victims.Add(pid))
                {
                    added = true;
                    _ = kill(pid, SIGSTOP);
                }

                foreach (var child in ChildrenOf(pid))
                {
                    if (!victims.Contains(child))
                    {
                        frontier.Push(child);
                    }
                }
            }

            if (!added)
            {
                break;
            }
        }

        foreach (var pid in victims)
        {
            _ = kill(pid, SIGKILL);
        }

        return [.. victims];
    }

    /// <summary>Reaps the killed processes that are (or become, as their parents die) Perfloop's children; gives up after a short budget.</summary>
    static int ReapKilled(List<int> killed)
    {
        if (killed.Count == 0 || !isSubreaper)
        {
            return 0;
        }

        var reaped = 0;
        var pending = new HashSet<int>(killed);
        var deadline = Stopwatch.GetTimestamp() + (long)(ReapBudget.TotalSeconds * Stopwatch.Frequency);
        while (pending.Count > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            foreach (var pid in pending.ToList())
            {
                if (ReadStat(pid) is not { } stat || stat.Group == OwnGroup() || (stat.State == 'Z' && stat.Parent != Environment.ProcessId))
                {
                    // Gone; or in our own group, hence started through System.Diagnostics.Process, which reaps its own
                    // (reaping it here would make .NET fail fast); or a zombie another parent will reap.
                    pending.Remove(pid);
                }
                else if (ReapNow(pid))
                {
                    reaped++;
                    pending.Remove(pid);
                }
            }

            if (pending.Count > 0)
            {
                Thread.Sleep(1);
            }
        }

        return reaped;
    }

    /// <summary>Reaps <paramref name="pid"/> if it is an exited child of ours.</summary>
    static unsafe bool ReapNow(int pid)
    {
        var info = stackalloc byte[SiginfoBytes];
        while (true)
        {
            new Span<byte>(info, SiginfoBytes).Clear();
            if (waitid(P_PID, pid, info, WEXITED | WNOHANG) == 0)
            {
                return *(int*)info != 0;
            }

            if (LastErrno != EINTR)
            {
                return false;
            }
        }
    }

    internal readonly record struct ProcessStat(char State, int Parent, int Group, ulong StartTime);

    /// <summary>Fields of /proc/PID/stat (after the command name, which may hold spaces and parentheses).</summary>
    internal static ProcessStat? ReadStat(int pid)
    {
        var text = ReadSmallFile($"/proc/{pid}/stat");
        var close = text?.LastIndexOf(')') ?? -1;
        if (text is null || close < 0)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        return fields.Length > 19
            && int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var parent)
            && int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var group)
            && ulong.TryParse(fields[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out var started)
            ? new ProcessStat(fields[0][0], parent, group, started)
            : null;
    }

    /// <summary>The start time of <paramref name="pid"/> (clock ticks since boot), which tells a process from a later one reusing its pid.</summary>
    public static ulong? StartTimeOf(int pid) => OperatingSystem.IsLinux() ? ReadStat(pid)?.StartTime : null;

    /// <summary>The value of <see cref="VariableName"/> in the environment <paramref name="pid"/> started with, or null.</summary>
    static string? ReadMarks(int pid) => ReadMarks(pid, out _);

    /// <summary>As <see cref="ReadMarks(int)"/>; <paramref name="readable"/> is false when the environment could not be read at all.</summary>
    static string? ReadMarks(int pid, out bool readable)
    {
        byte[] environment;
        readable = false;
        try
        {
            environment = File.ReadAllBytes($"/proc/{pid}/environ");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // A process that is exiting or mid-exec has no environment to show: empty, not "unmarked".
        readable = environment.Length > 0;

        ReadOnlySpan<byte> prefix = "PERFLOOP_OWNER="u8;
        var rest = environment.AsSpan();
        while (rest.Length > 0)
        {
            var end = rest.IndexOf((byte)0);
            var entry = end < 0 ? rest : rest[..end];
            if (entry.StartsWith(prefix))
            {
                return Encoding.ASCII.GetString(entry[prefix.Length..]);
            }

            rest = end < 0 ? [] : rest[(end + 1)..];
        }

        return null;
    }

    /// <summary>The children of <paramref name="pid"/>, from /proc/PID/task/*/children (or a scan of /proc where the kernel lacks it).</summary>
    internal static List<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return children;
        }

        var supported = false;
        foreach (var task in tasks)
        {
            if (ReadSmallFile(Path.Combine(task, "children")) is not { } text)
            {
                continue;
            }

            supported = true;
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(word, NumberStyles.Integer, CultureInfo.InvariantCulture, out var child))
                {
                    children.Add(child);
                }
            }
        }

        if (!supported && tasks.Length > 0)
        {
            children.AddRange(AllProcesses().Where(p => ReadStat(p)?.Parent == pid));
        }

        return children;
    }

    static IEnumerable<int> AllProcesses()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    static HashSet<int> AncestorsOfSelf()
    {
        var ancestors = new HashSet<int>();
        for (var pid = Environment.ProcessId; pid > 1 && ancestors.Add(pid);)
        {
            pid = ReadStat(pid)?.Parent ?? 0;
        }

        ancestors.Add(1);
        return ancestors;
    }

    static int OwnGroup() => ownGroup ??= ReadStat(Environment.ProcessId)?.Group ?? -1;

    static int OwnUid() => Uid(Environment.ProcessId) ?? -1;

    static int? Uid(int pid)
    {
        var status = ReadSmallFile($"/proc/{pid}/status");
        if (status is null)
        {
            return null;
        }

        foreach (var line in status.Split('\n'))
        {
            // "Uid:	0	0	0	0": real, effective, saved, filesystem.
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var fields = line[4..].Split('\t', StringSplitOptions.RemoveEmptyEntries);
                return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var uid) ? uid : null;
            }
        }

        return null;
    }

    static string? ReadSmallFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
