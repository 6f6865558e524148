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
