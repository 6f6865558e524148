using System.Text;

namespace Perfloop.Storage;

/// <summary>
/// Replaces a file whole or not at all: the text goes to a temporary file beside it, is flushed to the disk, and
/// then renamed over the target (rename is atomic on one file system), so a kill or power loss never leaves a torn
/// journal, marker or ranking. Every file Perfloop rewrites goes through here.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // One fixed name: the writers of a repository's state take its lock first, so they never share it.
        var temporary = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
