using Perfloop.Configuration;

namespace Perfloop.Tests.Configuration;

public class ConventionsTests
{
    [Fact]
    public void The_guard_round_trips_through_the_Guard_section()
    {
        var text = Conventions.Render("dotnet test --no-build", "cpu");
        Assert.Contains("## Guard", text);
        Assert.Equal("dotnet test --no-build", Conventions.ReadGuard(text));
    }

    [Fact]
    public void An_empty_guard_block_means_no_guard() =>
        Assert.Null(Conventions.ReadGuard(Conventions.Render(null, "cpu")));

    [Fact]
    public void A_hand_written_section_without_a_code_block_is_read_from_its_first_line() =>
        Assert.Equal("pytest tests/", Conventions.ReadGuard("# Notes\n\n## Guard\n\npytest tests/\n\n## Other\nx\n"));

    [Fact]
    public void No_Guard_section_means_no_guard() =>
        Assert.Null(Conventions.ReadGuard("# Notes\n\n## Other\n\n```\nmake\n```\n"));
}

public class ConventionsSectionTests
{
    [Fact]
    public void Replacing_the_guard_keeps_every_note_the_user_wrote()
    {
        var notes = Conventions.Render("make test", "cpu") + "\n## Notes\n\nThe parser is hot; leave the lexer alone.\n";
        var updated = Conventions.WithSection(notes, Conventions.GuardHeading, Conventions.GuardSection("pytest -q"));
        Assert.Equal("pytest -q", Conventions.ReadGuard(updated));
        Assert.Contains("The parser is hot; leave the lexer alone.", updated, StringComparison.Ordinal);
        Assert.Contains("## Domain", updated, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_section_is_appended()
    {
        var updated = Conventions.WithSection("# Notes\n\nmine\n", Conventions.EffectiveThresholdHeading, "5%");
        Assert.StartsWith("# Notes\n\nmine\n", updated, StringComparison.Ordinal);
        Assert.EndsWith("## Effective threshold\n\n5%\n", updated, StringComparison.Ordinal);
    }
}
