using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.Errors;
using Perfloop.Methods;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

static class MethodOracleCommand
{
    public static Command Create()
    {
        var target = MethodTargetOptions.Create();
        var tolerance = NumberOption.Create("--tolerance", "Relative tolerance for double/float values (default 0: exact)", 0.0, t => t is >= 0 and <= 1e6, "must be zero or a positive number up to 1000000");
        var json = new Option<bool>("--json") { Description = "Print the report as JSON on stdout" };
        var command = new Command("method-oracle", "Call a method in two builds with the same inputs; compare return value, mutated arguments and exception (exit 0 equal, 1 different)")
        {
            tolerance, json,
        };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(() =>
        {
            var report = Tools.CompareMethod(new MethodOracleRequest(
                parse.GetValue(target.Baseline)!, parse.GetValue(target.Candidate)!, MethodName.Parse(parse.GetValue(target.Method)!), target.Inputs(parse), parse.GetValue(tolerance)));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(report);
            }
            else
            {
                Console.WriteLine(report.Equal
                    ? $"equal: {report.Method} behaves the same on {report.Inputs} input(s)"
                    : $"different: {report.Method} on {report.Inputs} input(s), {report.Differences.Count} difference(s)");
                foreach (var difference in report.Differences)
                {
                    Console.WriteLine($"  {difference}");
                }
            }

            return Task.FromResult(report.Equal ? ExitCodes.Success : ExitCodes.Failure);
        }, cancellationToken));
        return command;
    }
}

/// <summary>The options method-oracle and micro-ab share: two build folders, a method, its inputs.</summary>
sealed record MethodTargetOptions(Option<string> Baseline, Option<string> Candidate, Option<string> Method, Option<string?> Args, Option<string?> Probe)
{
    public static MethodTargetOptions Create() => new(
        new Option<string>("--baseline") { Description = "Build output folder of the unchanged code (e.g. a worktree's bin/Release/net10.0)", Required = true },
        new Option<string>("--candidate") { Description = "Build output folder of the changed code", Required = true },
        new Option<string>("--method") { Description = "Public static method: Namespace.Type.Method", Required = true },
        new Option<string?>("--args") { Description = "JSON file of argument sets: [[arg, ...], ...]" },
        new Option<string?>("--probe") { Description = "Type in both builds with a public static method returning IEnumerable<object?[]> argument sets" });

    public void AddTo(Command command)
    {
        command.Options.Add(Baseline);
        command.Options.Add(Candidate);
        command.Options.Add(Method);
        command.Options.Add(Args);
        command.Options.Add(Probe);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Args) is not null && result.GetValue(Probe) is not null)
            {
                result.AddError("give --args FILE or --probe TYPE, not both");
            }
        });
    }

    /// <summary>The inputs the options name; a method without parameters needs neither.</summary>
    public MethodInputs Inputs(ParseResult parse) =>
        parse.GetValue(Args) is { } file ? MethodInputs.FromJsonFile(file)
        : parse.GetValue(Probe) is { } probe ? MethodInputs.FromProbe(probe)
        : MethodInputs.None;
}
