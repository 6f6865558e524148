using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using Perfloop.Errors;

namespace Perfloop.Methods;

/// <summary>A method named by its declaring type's full name and its own name: <c>Demo.PrimeScanner.PrimesUpTo</c>.</summary>
public sealed record MethodName(string TypeName, string Method)
{
    public static MethodName Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var dot = name.LastIndexOf('.');
        if (dot <= 0 || dot == name.Length - 1)
        {
            throw new PerfloopException($"{Mention.Input("method")}: '{name}' is not Namespace.Type.Method (e.g. Demo.PrimeScanner.PrimesUpTo)");
        }

        return new MethodName(name[..dot], name[(dot + 1)..]);
    }

    public override string ToString() => $"{TypeName}.{Method}";
}

/// <summary>
/// One build output folder loaded into its own collectible <see cref="AssemblyLoadContext"/>: the assembly that
/// defines a type is found by reading metadata (nothing is loaded to look), and its dependencies resolve from the
/// same folder through <see cref="AssemblyDependencyResolver"/>, so a baseline and a candidate build of the same
/// assembly live side by side in one process. Framework assemblies come from the default context, so values of
/// framework types (int, string, List&lt;int&gt;) pass between the two builds unchanged.
/// </summary>
public sealed class MethodBuild : IDisposable
{
    readonly BuildLoadContext context;

    MethodBuild(string directory, string assemblyPath, string label)
    {
        Directory = directory;
        AssemblyPath = assemblyPath;
        context = new BuildLoadContext(assemblyPath, label);
        Assembly = context.LoadFromAssemblyPath(assemblyPath);
    }

    public string Directory { get; }

    public string AssemblyPath { get; }

    public Assembly Assembly { get; }

    /// <summary>Loads the build in <paramref name="directory"/> that defines <paramref name="typeName"/>.</summary>
    public static MethodBuild Load(string directory, string typeName, string label)
    {
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new PerfloopException($"--{label}: directory not found: {directory}");
        }

        var assemblyPath = FindAssemblyDefining(full, typeName)
            ?? throw new PerfloopException($"--{label}: no assembly in {directory} defines type {typeName}; give the build output folder (e.g. bin/Release/net10.0)");
        return new MethodBuild(full, assemblyPath, label);
    }

    public Type GetType(string typeName, string label) =>
        Assembly.GetType(typeName, throwOnError: false)
        ?? throw new PerfloopException($"--{label}: type {typeName} not found in {AssemblyPath}");

    /// <summary>The public static method <paramref name="name"/> taking <paramref name="argumentCount"/> arguments (or the only one when null).</summary>
    public MethodInfo GetMethod(MethodName name, int? argumentCount, string label)
    {
        ArgumentNullException.ThrowIfNull(name);
        var type = GetType(name.TypeName, label);
        var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == name.Method && !m.ContainsGenericParameters)
            .Where(m => argumentCount is not { } count || m.GetParameters().Length == count)
            .ToList();
        return methods.Count switch
        {
            1 => methods[0],
            0 => throw new PerfloopException($"{Mention.Input("method")}: {name} is not a public static non-generic method{(argumentCount is { } c ? $" taking {c} argument(s)" : "")} in {Path.GetFileName(AssemblyPath)} ({label})"),
            _ => throw new PerfloopException($"{Mention.Input("method")}: {name} has {methods.Count} overloads taking the same number of arguments; rename one or wrap it in a probe"),
        };
    }

    /// <summary>Unloads the build's assemblies (collectible context); the caller must drop every object it made.</summary>
    public void Dispose() => context.Unload();

    static string? FindAssemblyDefining(string directory, string typeName)
    {
        var dot = typeName.LastIndexOf('.');
        var (ns, name) = dot < 0 ? ("", typeName) : (typeName[..dot], typeName[(dot + 1)..]);
        // The likeliest file first: an assembly named like the type's namespace prefix.
        var files = System.IO.Directory.EnumerateFiles(directory, "*.dll")
            .OrderByDescending(f => typeName.StartsWith(Path.GetFileNameWithoutExtension(f) + ".", StringComparison.Ordinal))
            .ThenBy(f => f, StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (Defines(file, ns, name))
            {
                return file;
            }
        }

        return null;
    }

    static bool Defines(string file, string ns, string name)
    {
        try
        {
            using var stream = File.OpenRead(file);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return false;
            }

            var reader = pe.GetMetadataReader();
            foreach (var handle in reader.TypeDefinitions)
            {
                var type = reader.GetTypeDefinition(handle);
                if (type.GetDeclaringType().IsNil && reader.StringComparer.Equals(type.Name, name) && reader.StringComparer.Equals(type.Namespace, ns))
                {
                    return true;
                }
            }
        }
        catch (BadImageFormatException)
        {
            // A native library beside the managed ones.
        }

        return false;
    }

    sealed class BuildLoadContext(string mainAssembly, string label) : AssemblyLoadContext($"perfloop-{label}", isCollectible: true)
    {
        readonly AssemblyDependencyResolver resolver = new(mainAssembly);
        readonly string directory = Path.GetDirectoryName(mainAssembly)!;

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // Framework assemblies stay shared with the host (null = default context).
            if (Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), assemblyName) && IsFramework(a)))
            {
                return null;
            }

            var path = resolver.ResolveAssemblyToPath(assemblyName);
            if (path is null && assemblyName.Name is { } simple && File.Exists(Path.Combine(directory, simple + ".dll")))
            {
                // A folder without a .deps.json (a plain library build): its own files come first.
                path = Path.Combine(directory, simple + ".dll");
            }

            return path is null ? null : LoadFromAssemblyPath(path);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

        static bool IsFramework(Assembly assembly) =>
            assembly.Location.Length > 0 && assembly.Location.StartsWith(Path.GetDirectoryName(typeof(object).Assembly.Location)!, StringComparison.Ordinal);
    }
}
