namespace Perfloop.Safety;

/// <summary>
/// Writes a file so that a kill at any moment leaves either the old content or the new, never a torn or empty file:
/// a temp file beside it, flushed to disk, then renamed over it. For every file Perfloop trusts on the next start
/// (conventions.md holds the guard; a cached oracle capture decides what "same output" means).
/// </summary>
public static class AtomicFile
{
    public static async Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken = default)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
