using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>
/// A class library compiled with Roslyn in memory and written to its own folder, as a build output would be: tens of
/// milliseconds instead of seconds for a <c>dotnet build</c>, so baseline/candidate fixtures stay cheap.
/// </summary>
public sealed class InMemoryBuild : IDisposable
{
    static readonly Lazy<MetadataReference[]> FrameworkReferences = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    // What an SDK project's ImplicitUsings gives, so fixtures read like ordinary project code.
    const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.Linq;\n";

    InMemoryBuild(string directory) => Directory = directory;

    public string Directory { get; }

    public static InMemoryBuild Compile(string assemblyName, string source, params string[] defines)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("perfloop-build-").FullName;
        var compilation = CSharpCompilation.Create(
            assemblyName,
            [CSharpSyntaxTree.ParseText(ImplicitUsings + source, new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: defines))],
            FrameworkReferences.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));
        var result = compilation.Emit(Path.Combine(directory, assemblyName + ".dll"));
        if (!result.Success)
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException("fixture does not compile: " + string.Join("; ", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        return new InMemoryBuild(directory);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
