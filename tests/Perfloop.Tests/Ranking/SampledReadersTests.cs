using System.Text;
using Perfloop.Ranking;

namespace Perfloop.Tests.Ranking;

/// <summary>V8's .cpuprofile and JFR's samples (as 'jfr print --json' prints them).</summary>
public class SampledReadersTests
{
    [Fact]
    public void A_cpuprofile_becomes_stacks_weighted_by_time_with_v8_frames_outside_the_code()
    {
        const string json = """
            {"nodes":[
              {"id":1,"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":0,"children":[2,3,4]},
              {"id":2,"callFrame":{"functionName":"(program)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":1},
              {"id":3,"callFrame":{"functionName":"(idle)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":1},
              {"id":4,"callFrame":{"functionName":"","scriptId":"81","url":"file:///repo/scan.js","lineNumber":0,"columnNumber":0},"hitCount":0,"children":[5]},
              {"id":5,"callFrame":{"functionName":"hot","scriptId":"81","url":"file:///repo/scan.js","lineNumber":3,"columnNumber":5},"hitCount":3,"children":[6]},
              {"id":6,"callFrame":{"functionName":"String","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":1}
            ],
            "startTime":0,"endTime":600,"samples":[5,5,6,5,3,2],"timeDeltas":[0,100,100,100,100,100]}
            """;

        var profile = CpuProfileReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "x.cpuprofile");
        var ranking = BottleneckRanker.Rank(new RankingInput(profile, "x.cpuprofile", DateTimeOffset.UnixEpoch, "/repo"));

        Assert.Equal(ProfileFormat.CpuProfile, profile.Format);
        Assert.Contains(profile.Notes, n => n.Contains("idle", StringComparison.Ordinal));
        var hot = ranking.Functions[0];
        Assert.Equal("hot", hot.Function);
        Assert.Equal("scan.js", hot.File);
        Assert.True(hot.OwnPercent > hot.SelfPercent); // the String builtin it calls is its cost
        Assert.False(ranking.Function("String").Optimizable);
        Assert.False(ranking.Function("(program)").Optimizable);
        Assert.Equal("(top level)", ranking.Functions[1].Function);
        Assert.DoesNotContain(ranking.Functions, f => f.Function is "(root)" or "(idle)");
    }

    [Fact]
    public void Jfr_samples_name_methods_as_java_writes_them_and_fold_lambdas()
    {
        static string Frame(string type, string method, string? module = null)
        {
            var package = module is null ? "null" : "{\"name\":\"x\",\"module\":{\"name\":\"" + module + "\"}}";
            return "{\"method\":{\"type\":{\"name\":\"" + type + "\",\"package\":" + package + "},\"name\":\"" + method
                + "\",\"descriptor\":\"()V\",\"hidden\":false},\"lineNumber\":1,\"bytecodeIndex\":0,\"type\":\"JIT compiled\"}";
        }

        static string Event(bool truncated, params string[] frames) =>
            "{\"type\":\"jdk.ExecutionSample\",\"values\":{\"stackTrace\":{\"truncated\":" + (truncated ? "true" : "false") + ",\"frames\":[" + string.Join(',', frames) + "]}}}";

        var json = "{\"recording\":{\"events\":["
            + Event(false, Frame("java/lang/Long", "getChars", "java.base"), Frame("com/acme/Main", "hot"), Frame("com/acme/Main", "main")) + ","
            + Event(false, Frame("com/acme/Main", "hot"), Frame("com/acme/Main", "main")) + ","
            + Event(true, Frame("com/acme/Main", "lambda$main$0"), Frame("com/acme/Main", "main"))
            + "]}}";

        var profile = JfrReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "x.jfr");
        var ranking = BottleneckRanker.Rank(new RankingInput(profile, "x.jfr", DateTimeOffset.UnixEpoch, "/repo"));

        var hot = ranking.Functions[0];
        Assert.Equal("com.acme.Main.hot", hot.Function);
        Assert.Equal(100.0 * 2 / 3, hot.OwnPercent, 6);
        Assert.Equal(100.0, ranking.Function("com.acme.Main.main").TotalPercent, 6);
        Assert.False(ranking.Function("java.lang.Long.getChars").Optimizable);
        Assert.Contains(profile.Notes, n => n.StartsWith("1 stacks deeper", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("# callgrind format\nversion: 1\n", ProfileFormat.Callgrind)]
    [InlineData("{\"nodes\":[{\"id\":1}],\"samples\":[]}", ProfileFormat.CpuProfile)]
    [InlineData("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\"}", ProfileFormat.Speedscope)]
    [InlineData("main;work 3\n", ProfileFormat.Folded)]
    public void The_format_is_told_by_the_content(string content, ProfileFormat format)
    {
        var path = Path.Combine(Path.GetTempPath(), $"perfloop-detect-{Guid.NewGuid():N}");
        File.WriteAllText(path, content);
        try
        {
            Assert.Equal(format, ProfileReader.Detect(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Binary_formats_are_told_by_their_magic()
    {
        var path = Path.Combine(Path.GetTempPath(), $"perfloop-detect-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(path, [(byte)'F', (byte)'L', (byte)'R', 0, 0, 2]);
            Assert.Equal(ProfileFormat.Jfr, ProfileReader.Detect(path));
            File.WriteAllBytes(path, [0xfb, 0xa9, 3, 0]); // marshal: a dict whose first key is a tuple (pstats)
            Assert.Equal(ProfileFormat.Pstats, ProfileReader.Detect(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
