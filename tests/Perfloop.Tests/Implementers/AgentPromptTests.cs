using Perfloop.Implementers;
using Perfloop.Journal;

namespace Perfloop.Tests.Implementers;

public class AgentPromptTests
{
    static ResultRow Row(int n, ExperimentStatus status, string strategy, string summary, string reason = "", double? delta = null) => new()
    {
        Experiment = n,
        Timestamp = DateTimeOffset.UnixEpoch,
        Domain = "cpu",
        Target = "WordCounter.Count",
        Strategy = strategy,
        Summary = summary,
        Metric = "wall_ms",
        DeltaPct = delta,
        CiLowPct = delta - 2,
        CiHighPct = delta + 2,
        Status = status,
        Reason = reason,
    };

    static PromptContext Context(ReworkContext? rework = null) => new()
    {
        Experiment = 4,
        Attempt = rework is null ? 1 : 2,
        MaxReworks = 2,
        RepositoryRoot = "/repo",
        Target = new AgentTarget("WordCounter.Count", "algorithm", "~40% of runtime", "") { SelfPct = 31.2, TotalPct = 40 },
        Strategy = "data-structure",
        Domain = Domains.Domains.Cpu,
        HistoryReview = "history goes here",
        Learnings = "Dictionaries beat lists here.",
        RecentDiscards = ["experiment 3 (Use a list): regression +12%"],
        ProtectedPaths = ["the defaults", "the guard's files: check.sh"],
        Guard = "sh check.sh",
        Rework = rework,
    };

    [Fact]
    public void A_first_prompt_holds_target_checklist_history_learnings_rules_and_contract()
    {
        var prompt = AgentPrompt.Render(Context());

        Assert.StartsWith("# Perfloop experiment 4: WordCounter.Count\n", prompt.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("- Profile share: self 31.2%, total 40%", prompt, StringComparison.Ordinal);
        Assert.Contains("- Estimated impact: ~40% of runtime", prompt, StringComparison.Ordinal);
        Assert.Contains("- Strategy: data-structure", prompt, StringComparison.Ordinal);
        foreach (var question in Domains.Domains.Cpu.Checklist)
        {
            Assert.Contains(question, prompt, StringComparison.Ordinal);
        }

        Assert.Contains("history goes here", prompt, StringComparison.Ordinal);
        Assert.Contains("Dictionaries beat lists here.", prompt, StringComparison.Ordinal);
        Assert.Contains("- experiment 3 (Use a list): regression +12%", prompt, StringComparison.Ordinal);
        Assert.Contains("  - the guard's files: check.sh", prompt, StringComparison.Ordinal);
        Assert.Contains("Tests and guard files must not change", prompt, StringComparison.Ordinal);
        Assert.Contains("Do not commit", prompt, StringComparison.Ordinal);
        Assert.Contains("prefixed `SUMMARY:`", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("Rework", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rework_prompt_leads_with_the_guard_failure_and_the_reverted_diff_in_closed_fences()
    {
        var output = "FAIL edge case\n```\nstray fence in the output";
        var prompt = AgentPrompt.Render(Context(new ReworkContext("guard failed: 'sh check.sh' exited with 1", output, "-old\n+new")));

        Assert.True(prompt.IndexOf("## Rework 1 of 2", StringComparison.Ordinal) < prompt.IndexOf("## Target", StringComparison.Ordinal));
        Assert.Contains("Why: guard failed: 'sh check.sh' exited with 1", prompt, StringComparison.Ordinal);
        Assert.Contains("````text\nFAIL edge case\n```\nstray fence in the output\n````", prompt.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("```diff\n-old\n+new\n```", prompt.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Do not touch the tests", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void Tail_keeps_the_end_from_a_line_boundary()
    {
        Assert.Equal("short", AgentPrompt.Tail("short", 100));
        Assert.Equal("[…]\nline 3\nline 4", AgentPrompt.Tail("line 1\nline 2\nline 3\nline 4", 16));
    }

    [Fact]
    public void The_history_review_lists_kept_figures_and_discard_reasons_of_the_last_ten()
    {
        var rows = new List<ResultRow> { Row(0, ExperimentStatus.Baseline, "", "A/A") };
        rows.AddRange(Enumerable.Range(1, 11).Select(n => Row(n, ExperimentStatus.Discard, "caching", $"Try {n}", $"no change {n}")));
        rows.Add(Row(12, ExperimentStatus.Keep, "data-structure", "Use a dictionary", "improved", -33.5));

        var review = PromptHistory.Review(rows);

        Assert.Contains("The last 10 experiments: 1 kept, 9 not.", review, StringComparison.Ordinal);
        Assert.Contains("- experiment 12: Use a dictionary [data-structure] on WordCounter.Count — wall_ms −33.5%, CI −35.5…−31.5%", review, StringComparison.Ordinal);
        Assert.Contains("- experiment 11: Try 11 [caching] on WordCounter.Count — no change 11", review, StringComparison.Ordinal);
        Assert.DoesNotContain("Try 2 ", review, StringComparison.Ordinal);
        Assert.Equal("No experiments yet: this is the first one.", PromptHistory.Review([rows[0]]));
        Assert.Equal(5, PromptHistory.RecentDiscardReasons(rows).Count);
    }

    [Fact]
    public void The_strategy_stays_until_it_fails_three_times_in_a_row_then_rotates()
    {
        var cpu = Domains.Domains.Cpu;
        Assert.Equal("algorithm", CurrentStrategy(cpu, []));

        var rows = new List<ResultRow> { Row(1, ExperimentStatus.Keep, "caching", "a"), Row(2, ExperimentStatus.Discard, "caching", "b") };
        Assert.Equal("caching", CurrentStrategy(cpu, rows));

        rows.Add(Row(3, ExperimentStatus.Discard, "caching", "c"));
        rows.Add(Row(4, ExperimentStatus.Crash, "caching", "d"));
        Assert.Equal("allocation", CurrentStrategy(cpu, rows));
    }

    /// <summary>The strategy the loop's one policy evaluation gives the agent for the next experiment.</summary>
    static string CurrentStrategy(Domains.Domain domain, List<ResultRow> rows)
    {
        var verdict = Perfloop.Policies.SessionPolicy.Evaluate(rows, new Perfloop.Policies.PolicyInputs { Domain = domain, KeepThresholdPct = domain.KeepThresholdPct });
        return Perfloop.Policies.ExperimentGuidance.Build(rows.Count + 1, null, Perfloop.Policies.HistoryReview.Build([], rows), verdict, rows, domain).CurrentStrategy;
    }

    [Fact]
    public void The_prompt_path_replaces_the_placeholder_or_is_appended_through_the_environment()
    {
        Assert.Equal("aider --message-file \"$PERFLOOP_PROMPT\" --yes-always", new AgentSettings("aider --message-file {prompt} --yes-always", TimeSpan.FromMinutes(1)).CommandLine);
        Assert.Equal("my-agent --fast \"$PERFLOOP_PROMPT\"", new AgentSettings("my-agent --fast", TimeSpan.FromMinutes(1)).CommandLine);
    }
}
