using Perfloop.Ranking;

namespace Perfloop.Tests.Ranking;

public class JvmTouchedMethodsTests
{
    // The shape of a HotSpot VM log (-XX:+LogVMOutput) of JDK 17 with -XX:+PrintTouchedMethodsAtExit.
    static readonly string[] Log =
    [
        "<?xml version='1.0' encoding='UTF-8'?>",
        "<hotspot_log version='160 1' process='20227' time_ms='1796040424483'>",
        "<tty>",
        "<writer thread='20228'/>",
        "# Method::print_touched_methods version 1",
        "jdk/internal/misc/Unsafe.getUnsafe:()Ljdk/internal/misc/Unsafe;",
        "java/io/FileCleanable.&lt;init&gt;:(Ljava/io/FileDescriptor;Ljava/lang/ref/Cleaner;IJ)V",
        "com/acme/Main.hot:(J)J",
        "<writer thread='20234'/>",
        "com/acme/Main$Parser.&lt;init&gt;:()V",
        "com/acme/Main.lambda$main$0:(Ljava/lang/String;)V",
        "sun/launcher/LauncherHelper.checkAndLoadMain:(ZILjava/lang/String;)Ljava/lang/Class;",
        "com/sun/crypto/provider/SunJCE.&lt;clinit&gt;:()V",
        "<destroy_vm stamp='0.034'/>",
        "</tty>",
    ];

    [Fact]
    public void The_programs_methods_are_read_as_java_names_without_the_jdks()
    {
        var methods = JvmTouchedMethods.Parse(Log);

        Assert.Equal(["com.acme.Main.hot", "com.acme.Main$Parser.<init>", "com.acme.Main.main"], methods);
    }

    [Fact]
    public void A_log_without_the_list_proves_nothing()
    {
        // JDK 22+ dropped the flag; a JVM killed before its exit never prints the list.
        Assert.Null(JvmTouchedMethods.Parse(Log.Take(4)));
        Assert.Empty(JvmTouchedMethods.Parse(Log.Take(5))!);
    }

    [Fact]
    public void A_list_that_misses_a_sampled_program_method_is_not_the_whole_run()
    {
        // The samples came from a JVM the list does not cover (a build tool's daemon started before profiling).
        var sampled = new Profile(
            ProfileFormat.Jfr,
            [new ProfileFrame("java.lang.Thread.run", Module: "java.base"), new ProfileFrame("com.acme.Main.main"), new ProfileFrame("com.acme.Main.hot")],
            [new ProfileSample([0, 1, 2], 40), new ProfileSample([0, 1], 2)],
            "samples");
        IReadOnlyList<string> client = ["org.gradle.launcher.Main.main"];
        IReadOnlyList<string> whole = ["com.acme.Main.main", "com.acme.Main.hot", "com.acme.Main.setup"];

        Assert.Null(JvmTouchedMethods.CoveringSamples(client, sampled));
        Assert.Same(whole, JvmTouchedMethods.CoveringSamples(whole, sampled));
        Assert.Null(JvmTouchedMethods.CoveringSamples(null, sampled));
    }

    [Fact]
    public void One_log_without_the_list_makes_the_whole_run_unproven()
    {
        var directory = Directory.CreateTempSubdirectory("perfloop-touched-").FullName;
        try
        {
            File.WriteAllLines(Path.Combine(directory, "vm-pid1.log"), Log);
            File.WriteAllLines(Path.Combine(directory, "vm-pid2.log"), ["# Method::print_touched_methods version 1", "Tool.run:()V"]);
            var both = Directory.EnumerateFiles(directory, "vm-*.log").ToList();
            Assert.Equal(["Tool.run", "com.acme.Main$Parser.<init>", "com.acme.Main.hot", "com.acme.Main.main"], JvmTouchedMethods.Read(both));

            File.WriteAllLines(Path.Combine(directory, "vm-pid3.log"), Log.Take(4));
            Assert.Null(JvmTouchedMethods.Read(Directory.EnumerateFiles(directory, "vm-*.log")));
            Assert.Null(JvmTouchedMethods.Read([]));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
