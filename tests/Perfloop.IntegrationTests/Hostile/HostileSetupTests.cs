using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.IntegrationTests.Fixtures;

namespace Perfloop.IntegrationTests.Hostile;

/// <summary>
/// Hostile and malformed setups, run through the real CLI: each must end with one clear line on stderr and the
/// expected exit code — never a stack trace — and leave the user's files exactly as they were.
/// </summary>
public sealed class HostileSetupTests
{
    /// <summary>One case: how to spoil a fresh repository, then the arguments, exit code and the words the one line must hold.</summary>
    public sealed record HostileCase(string Name, Func<TempGitRepository, string[]> Spoil, int ExitCode, string Expected)
    {
        public override string ToString() => Name;
    }

    /// <summary>The arguments of a plain run over the repository's candidate folder.</summary>
    internal static string[] Run(TempGitRepository repo) => ["run", "--candidates", repo.Candidates];

    /// <summary>A hand-written perfloop.json without a guard: the run says --no-guard so the case reaches what it spoils.</summary>
    static Func<TempGitRepository, string[]> Config(string json) => repo =>
    {
        repo.Write(PerfloopConfig.FileName, json);
        repo.CommitAll("hostile config");
        return [.. Run(repo), "--no-guard"];
    };

    static Func<TempGitRepository, string[]> ConfigWith(string key, string value) =>
        Config($$"""{ "bench": "sh app.sh", {{Quote(key)}}: {{value}} }""");

    static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    public static readonly IReadOnlyList<HostileCase> Cases =
    [
        new("malformed JSON", Config("{ \"bench\": \"sh app.sh\", "), 2, "perfloop.json: line"),
        new("not a JSON object", Config("[1, 2]"), 2, "perfloop.json"),
        new("empty file", Config(""), 2, "perfloop.json"),
        new("JSON null", Config("null"), 2, "must be a JSON object"),
        new("domain is a number", ConfigWith("domain", "5"), 2, "$.domain"),
        new("minRuns is a string", Config("""{ "bench": "sh app.sh", "measurement": { "minRuns": "many" } }"""), 2, "$.measurement.minRuns"),
        new("maxRuns below minRuns", Config("""{ "bench": "sh app.sh", "measurement": { "minRuns": 9, "maxRuns": 3 } }"""), 2, "$.measurement.maxRuns"),
        new("negative timeout", Config("""{ "bench": "sh app.sh", "timeouts": { "benchSeconds": -1 } }"""), 2, "$.timeouts.benchSeconds"),
        new("keep threshold over 100", Config("""{ "bench": "sh app.sh", "thresholds": { "keepPct": 250 } }"""), 2, "$.thresholds.keepPct"),
        new("oracles is a string", ConfigWith("oracles", "\"sh app.sh\""), 2, "$.oracles"),
        new("oracle without command", ConfigWith("oracles", "[ { \"files\": [] } ]"), 2, "$.oracles[0].command"),
        new("protectedPaths is a string", ConfigWith("protectedPaths", "\"src/\""), 2, "$.protectedPaths"),
        new("unknown key", ConfigWith("benchh", "\"x\""), 2, "benchh"),
        new("unsupported version", ConfigWith("version", "99"), 2, "$.version"),
        new("unknown domain", ConfigWith("domain", "\"gpu\""), 2, "unknown domain 'gpu'"),
        new("missing bench command", Config("""{ "domain": "cpu" }"""), 2, "$.bench"),
        new("bench command does not exist", Config("""{ "bench": "no-such-bench-tool --fast" }"""), 2, "command 'no-such-bench-tool' not found"),
        new("build command does not exist", Config("""{ "bench": "sh app.sh", "build": "no-such-compiler -O2" }"""), 2, "$.build: command 'no-such-compiler' not found"),
        new("guard command does not exist", Config("""{ "bench": "sh app.sh", "guard": "no-such-test-runner --all" }"""), 2, "$.guard: command 'no-such-test-runner' not found"),
        new("no guard and no --no-guard", repo =>
        {
            repo.Write(PerfloopConfig.FileName, """{ "bench": "sh app.sh" }""");
            repo.CommitAll("no guard");
            return Run(repo);
        }, 2, "no guard: perfloop.json has no \"guard\""),
        new("guard only in the untracked conventions.md", repo =>
        {
            repo.Write(PerfloopConfig.FileName, """{ "bench": "sh app.sh" }""");
            repo.CommitAll("guard only local");
            File.WriteAllText(Conventions.PathIn(repo.Root), Conventions.Render("sh check.sh", "cpu"));
            return Run(repo);
        }, 2, "the guard 'sh check.sh' is only in .perfloop/conventions.md"),
        new("no perfloop.json", repo =>
        {
            repo.Git("rm", "-q", PerfloopConfig.FileName);
            repo.CommitAll("no config");
            return Run(repo);
        }, 2, "perfloop.json"),
        new("oracle is not deterministic", Config("""{ "bench": "sh app.sh", "oracles": [ { "command": "date +%N" } ], "measurement": { "calibrationRuns": 3, "minRuns": 2, "maxRuns": 4 } }"""), 2, "is not deterministic"),
        new("candidates folder missing", repo => ["run", "--candidates", Path.Combine(repo.Root, "no-such-folder")], 2, "directory not found"),
        new("candidates folder without patches", repo =>
        {
            File.Delete(Directory.GetFiles(repo.Candidates).Single());
            File.WriteAllText(Path.Combine(repo.Candidates, "notes.txt"), "not a patch");
            return Run(repo);
        }, 2, "no .patch files"),
        new("max-experiments zero", repo => ["run", "--candidates", repo.Candidates, "--max-experiments", "0"], 2, "--max-experiments"),
        new("unknown verb", _ => ["optimise"], 2, "see 'perfloop --help'"),
        new("uncommitted user work", repo =>
        {
            repo.Write("README.txt", "my unsaved edit\n");
            return Run(repo);
        }, 2, "uncommitted changes (README.txt)"),
        new("uncommitted perfloop.json with --allow-dirty", repo =>
        {
            repo.Write(PerfloopConfig.FileName, repo.Read(PerfloopConfig.FileName).Replace("\"sh app.sh\"", "\"sh app.sh \"", StringComparison.Ordinal));
            return [.. Run(repo), "--allow-dirty"];
        }, 2, "perfloop.json has uncommitted changes"),
        new("results.tsv with a duplicate experiment number", repo =>
        {
            var row = "1\t2026-01-01T00:00:00Z\tcpu\tt\t\t\ts\twall_ms\t\t\t\t\t\t\t\tdiscard\tabc\tr\n";
            File.WriteAllText(PerfloopPaths.Results(repo.Root), Perfloop.Journal.ResultsTable.Header + "\n" + row + row);
            return Run(repo);
        }, 2, "experiment number 1 appears on more than one row"),
        new("results.tsv with a damaged number", repo =>
        {
            File.WriteAllText(PerfloopPaths.Results(repo.Root), Perfloop.Journal.ResultsTable.Header + "\nseven\t2026-01-01T00:00:00Z\tcpu\n");
            return Run(repo);
        }, 2, "column 'experiment' is not a number"),
        new("damaged experiment journal", repo =>
        {
            File.WriteAllText(ExperimentJournal.PathIn(repo.Root), "{ \"experiment\": ");
            return Run(repo);
        }, 2, "journal is damaged"),
        new("lock held by a perfloop on another host", repo =>
        {
            File.WriteAllText(Path.Combine(PerfloopPaths.StateDirectory(repo.Root), "lock"), "pid=1\nhost=build-agent-7\npurpose=perfloop run\n");
            return Run(repo);
        }, 2, "process 1 on build-agent-7"),
        new("not a git repository", repo => [.. Run(repo), "--dir", Directory.CreateDirectory(Path.Combine(repo.Candidates, "plain")).FullName], 2, "not a git repository"),
        new("bare repository", repo =>
        {
            var bare = Path.Combine(repo.Candidates, "bare.git");
            repo.Git("init", "-q", "--bare", bare);
            return [.. Run(repo), "--dir", bare];
        }, 2, "is a bare repository"),
        new("repository with no commits", repo =>
        {
            var empty = Path.Combine(repo.Candidates, "empty");
            repo.Git("init", "-q", empty);
            File.WriteAllText(Path.Combine(empty, PerfloopConfig.FileName), "{ \"bench\": \"true\" }");
            return [.. Run(repo), "--dir", empty];
        }, 2, "has no commits yet"),
        new("experiment step without an experiment", _ => ["experiment", "bench"], 2, "no experiment is in progress"),
        new("disk full while journaling (ENOSPC)", repo =>
        {
            File.CreateSymbolicLink(ExperimentJournal.PathIn(repo.Root) + ".tmp", "/dev/full");
            return Run(repo);
        }, 1, "No space left on device"),
    ];

    public static TheoryData<HostileCase> All() => OneClearLine.TheoryOf(Cases);

    [Theory]
    [MemberData(nameof(All))]
    public void A_hostile_setup_gives_one_clear_line_and_loses_nothing(HostileCase hostile)
    {
        using var repo = ShellProject.Create();
        ShellProject.Neutral(repo, "0001.patch", "Neutral");
        OneClearLine.Check(repo, hostile);
    }
}
