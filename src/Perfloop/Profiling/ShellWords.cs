using System.Text;

namespace Perfloop.Profiling;

/// <summary>One simple command of a shell line: its words after quote removal, and whether any word held an expansion.</summary>
/// <param name="Words">The words, quotes removed; expansions (<c>$X</c>, backquotes, globs) are kept as written.</param>
/// <param name="Plain">No word needs the shell: no expansion, glob, tilde or redirection — running the words directly is the same.</param>
public sealed record SimpleCommand(IReadOnlyList<string> Words, bool Plain);

/// <summary>
/// Splits shell text into simple commands, as far as telling what a benchmark runs needs: quotes, backslashes,
/// comments, and the operators <c>; &amp; | &amp;&amp; || ( ) { }</c> and newlines between commands. It does not
/// expand anything; a word with an expansion marks its command as not plain.
/// </summary>
/// <remarks>Hand-written because no NuGet package parses POSIX shell; only the word boundaries matter here.</remarks>
public static class ShellWords
{
    public static IReadOnlyList<SimpleCommand> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var commands = new List<SimpleCommand>();
        var words = new List<string>();
        var plain = true;
        var word = new StringBuilder();
        var inWord = false;

        void EndWord()
        {
            if (inWord)
            {
                words.Add(word.ToString());
            }

            word.Clear();
            inWord = false;
        }

        void EndCommand()
        {
            EndWord();
            if (words.Count > 0)
            {
                commands.Add(new SimpleCommand([.. words], plain));
            }

            words.Clear();
            plain = true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\\' when i + 1 < text.Length:
                    if (text[i + 1] != '\n')
                    {
                        word.Append(text[i + 1]);
                    }

                    inWord = true;
                    i++;
                    break;
                case '\'':
                    var close = text.IndexOf('\'', i + 1);
                    var end = close < 0 ? text.Length : close;
                    word.Append(text, i + 1, end - i - 1);
                    inWord = true;
                    i = end;
                    break;
                case '"':
                    inWord = true;
                    for (i++; i < text.Length && text[i] != '"'; i++)
                    {
                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            i++;
                        }
                        else if (text[i] is '$' or '`')
                        {
                            plain = false;
                        }

                        word.Append(text[i]);
                    }
                    break;
                case '#' when !inWord:
                    while (i + 1 < text.Length && text[i + 1] != '\n')
                    {
                        i++;
                    }

                    break;
                case ' ' or '\t' or '\r':
                    EndWord();
                    break;
                case '\n' or ';' or '&' or '|' or '(' or ')':
                    EndCommand();
                    break;
                case '{' or '}' when !inWord && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1]) || text[i + 1] == ';'):
                    EndCommand();
                    break;
                case '<' or '>':
                    // A redirection: its target is not an argument of the command, nor is a file descriptor before it ("2>").
                    if (inWord && word.ToString().All(char.IsAsciiDigit))
                    {
                        word.Clear();
                        inWord = false;
                    }

                    EndWord();
                    plain = false;
                    while (i + 1 < text.Length && text[i + 1] is '>' or '&' or '<')
                    {
                        i++;
                    }

                    while (i + 1 < text.Length && text[i + 1] is ' ' or '\t')
                    {
                        i++;
                    }

                    while (i + 1 < text.Length && !char.IsWhiteSpace(text[i + 1]) && text[i + 1] is not (';' or '&' or '|' or ')'))
                    {
                        i++;
                    }

                    break;
                default:
                    if (c is '$' or '`' or '*' or '?' or '[' || (c == '~' && !inWord))
                    {
                        plain = false;
                    }

                    word.Append(c);
                    inWord = true;
                    break;
            }
        }

        EndCommand();
        return commands;
    }
}
