using Perfloop.Configuration;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;

namespace Perfloop.IntegrationTests.Hostile;

/// <summary>
/// A KEEP is a promise: the guard travels with the repository, a candidate cannot touch Perfloop's own files, every
/// measured side is built from the code it claims to be, and a build output is checked after the build. The program
/// here is "compiled" by its build (work.src → work, which git ignores) and reports its work as a METRIC line, so no
/// verdict depends on the machine's load.
/// </summary>
public sealed class TrustTests
{
    const string Config = """
        {
          "build": "sh build.sh",
          "bench": "./work",
          "guard": "sh check.sh",
          "oracles": [ { "command": "./work --result" } ],
          "metric": { "name": "work", "goal": "lower" },
          "measurement": { "warmupRuns": 0, "minRuns": 6, "maxRuns": 16, "calibrationRuns": 4, "maxSeconds": 60 },
          "e2e": { "enabled": false }
        }
        """;

    static TempGitRepository CompiledProgram()
    {
        var repo = new TempGitRepository();
        repo.Write("work.src", "#!/bin/sh\nWORK=100\nEDGE=ok\n[ \"$1\" = \"--result\" ] && { echo \"result 42\"; exit 0; }\n[ \"$1\" = \"--edge\" ] && { echo \"$EDGE\"; exit 0; }\necho \"METRIC work=$WORK\"\n");
        repo.Write("build.sh", "#!/bin/sh\ncp work.src work && chmod +x work\n");
        repo.Write("check.sh", "#!/bin/sh\n[ \"$(./work --edge)\" = ok ] || { echo \"FAIL edge case\"; exit 1; }\n");
        repo.Write(".gitignore", "work\n");
        repo.Write(PerfloopConfig.FileName, Config);
        repo.CommitAll("a compiled program and its perfloop setup");
        return repo;
    }

    static List<ResultRow> Experiments(string root) =>
        ResultsTable.Read(PerfloopPaths.Results(root)).Where(r => r.IsExperiment).ToList();

    [Fact]
    public void A_fresh_clone_builds_before_its_preflight_runs_the_committed_guard_and_never_keeps_a_change_that_breaks_it()
    {
        using var origin = CompiledProgram();
        origin.MakeCandidate("0001-faster-but-breaks-the-edge-case.patch", "Skip the edge case", ["Target: work"],
            r => r.Write("work.src", r.Read("work.src").Replace("WORK=100", "WORK=40", StringComparison.Ordinal).Replace("EDGE=ok", "EDGE=broken", StringComparison.Ordinal)));
        origin.MakeCandidate("0002-faster.patch", "Do less work", ["Target: work"],
            r => r.Write("work.src", r.Read("work.src").Replace("WORK=100", "WORK=50", StringComparison.Ordinal)));
        var clone = origin.Root + "-clone";
        try
        {
            origin.Git("clone", "-q", origin.Root, clone);
            // A fresh clone: no .perfloop/, no conventions.md, no built ./work.
            Assert.False(Directory.Exists(Path.Combine(clone, PerfloopPaths.StateDirectoryName)));
            Assert.False(File.Exists(Path.Combine(clone, "work")));

            var result = PerfloopProcess.Run(clone, "run", "--candidates", origin.Candidates);

            Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
            var rows = Experiments(clone);
            Assert.Equal("discard guard_fail", rows.Single(r => r.Summary == "Skip the edge case").StatusText);
            Assert.Equal("keep guard_pass", rows.Single(r => r.Summary == "Do less work").StatusText);
            Assert.Equal("sh check.sh", Conventions.LoadGuard(clone));
        }
        finally
        {
            Directory.Delete(clone, recursive: true);
        }
    }

    [Fact]
    public void A_candidate_that_plants_or_rewrites_Perfloop_s_files_is_discarded_unmeasured_and_they_are_put_back()
    {
        using var repo = CompiledProgram();
        repo.MakeCandidate("0001-plant.patch", "Plant a file in .perfloop", ["Target: work"], r =>
        {
            r.Write("work.src", r.Read("work.src").Replace("WORK=100", "WORK=10", StringComparison.Ordinal));
            r.Write(".perfloop/planted.txt", "planted by the candidate\n");
        });
        // Its build rewrites the guard Perfloop reads and the results it keeps, then builds as usual.
        repo.MakeCandidate("0002-tamper-at-build.patch", "Make the guard always pass", ["Target: work"], r =>
        {
            r.Write("work.src", r.Read("work.src").Replace("WORK=100", "WORK=10", StringComparison.Ordinal));
            r.Write("build.sh", "#!/bin/sh\nprintf '## Guard\\n\\n```sh\\ntrue\\n```\\n' > .perfloop/conventions.md\necho forged >> .perfloop/results.tsv\ncp work.src work && chmod +x work\n");
        });
        repo.MakeCandidate("0003-faster.patch", "Do less work", ["Target: work"],
            r => r.Write("work.src", r.Read("work.src").Replace("WORK=100", "WORK=50", StringComparison.Ordinal)));

        var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);

        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        var rows = Experiments(repo.Root);
        var planted = rows.Single(r => r.Summary == "Plant a file in .perfloop");
        Assert.Equal(ExperimentStatus.Discard, planted.Status);
        // Refused before git apply (the patch names the path) or by the trusted-file check after it: either way named.
        Assert.Contains("touches Perfloop's own state", planted.Reason, StringComparison.Ordinal);
        Assert.Contains(".perfloop/planted.txt", planted.Reason, StringComparison.Ordinal);
        Assert.Null(planted.DeltaPct);
        var tampered = rows.Single(r => r.Summary == "Make the guard always pass");
        Assert.Equal(ExperimentStatus.Discard, tampered.Status);
        Assert.Contains("touches Perfloop's own state", tampered.Reason, StringComparison.Ordinal);
        Assert.Null(tampered.DeltaPct);
        Assert.False(File.Exists(Path.Combine(repo.Root, ".perfloop", "planted.txt")));
        Assert.Equal("sh check.sh", Conventions.LoadGuard(repo.Root));
        Assert.DoesNotContain("forged", File.ReadAllText(PerfloopPaths.Results(repo.Root)), StringComparison.Ordinal);
        // The honest candidate after them is measured and kept with the real guard.
        Assert.Equal("keep guard_pass", rows.Single(r => r.Summary == "Do less work").StatusText);
    }

    [Fact]
    public void The_A_A_run_rebuilds_the_work_tree_whatever_an_earlier_experiment_left_in_it()
    {
        using var repo = CompiledProgram();
        repo.MakeCandidate("0001-neutral.patch", "Reword a comment", ["Target: work"], r => r.Write("build.sh", r.Read("build.sh") + "# built\n"));
        Assert.Equal(0, PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates).ExitCode);

        // A binary of other code is left behind (as a killed candidate would leave one); the oracle capture of HEAD is cached.
        File.WriteAllText(Path.Combine(repo.Root, "work"), "#!/bin/sh\n[ \"$1\" = \"--result\" ] && { echo \"result 42\"; exit 0; }\necho \"METRIC work=400\"\n");
        var second = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);

        Assert.True(second.ExitCode == 0, second.Stderr + second.Stdout);
        var baseline = ResultsTable.Read(PerfloopPaths.Results(repo.Root)).Last(r => r.Status == ExperimentStatus.Baseline);
        Assert.Equal(100, baseline.Baseline);
        Assert.Equal(100, baseline.Candidate);
        Assert.Equal(0, baseline.DeltaPct);
    }
}
