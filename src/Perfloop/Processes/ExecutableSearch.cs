namespace Perfloop.Processes;

/// <summary>Finds a program the way the shell would: a path with a '/' relative to the directory, else a name on PATH.</summary>
public static class ExecutableSearch
{
    /// <summary>The full path of <paramref name="program"/> as run from <paramref name="directory"/>, or null when there is none.</summary>
    public static string? Find(string program, string directory) =>
        LinuxChild.TryResolveExecutable(program, Environment.GetEnvironmentVariable("PATH"), Path.GetFullPath(directory));
}
