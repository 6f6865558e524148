using Perfloop.Safety;

namespace Perfloop.Tests.Safety;

public sealed class SecretRedactorTests
{
    static readonly SecretRedactor Redactor = new(new Dictionary<string, string>
    {
        ["GITHUB_TOKEN"] = "ghp_abcdef123456",
        ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI",
        ["DEPLOY_KEY"] = "deploykey-value",
        ["SHORT_TOKEN"] = "abc",
        ["HOME"] = "/home/someone-long",
    });

    [Theory]
    [InlineData("GITHUB_TOKEN", true)]
    [InlineData("npm_config_authToken", true)]
    [InlineData("DEPLOY_KEY", true)]
    [InlineData("AZURE_DEVOPS_PAT", true)]
    [InlineData("HOME", false)]
    [InlineData("KEYBOARD_LAYOUT", false)]
    public void Secret_looking_names_are_recognised(string name, bool secret) => Assert.Equal(secret, SecretRedactor.IsSecretName(name));

    [Fact]
    public void Values_of_secret_variables_are_replaced_by_their_name()
    {
        var text = Redactor.Redact("GITHUB_TOKEN=ghp_abcdef123456 key wJalrXUtnFEMI deploykey-value home /home/someone-long abc");
        Assert.Equal("GITHUB_TOKEN=[redacted:GITHUB_TOKEN] key [redacted:AWS_SECRET_ACCESS_KEY] [redacted:DEPLOY_KEY] home /home/someone-long abc", text);
    }

    [Fact]
    public void Bytes_without_a_secret_are_kept_byte_for_byte()
    {
        byte[] bytes = [0xff, 0xfe, (byte)'a'];
        Assert.Same(bytes, Redactor.Redact(bytes));
        Assert.Equal("[redacted:GITHUB_TOKEN]"u8.ToArray(), Redactor.Redact("ghp_abcdef123456"u8.ToArray()));
    }
}

public sealed class UrlPasswordRedactionTests
{
    static readonly SecretRedactor Redactor = new(new Dictionary<string, string>
    {
        ["DATABASE_URL"] = "postgres://app:s3cretPassw0rd@db.internal:5432/orders",
        ["REDIS_URL"] = "redis://:pw@cache/0",
        ["HOMEPAGE"] = "https://example.com/a:b@c",
    });

    [Theory]
    [InlineData("DATABASE_URL=postgres://u:pw@h/db", "DATABASE_URL=postgres://u:***@h/db")]
    [InlineData("connecting to mysql://root:hunter2@localhost:3306/x ...", "connecting to mysql://root:***@localhost:3306/x ...")]
    [InlineData("redis://:pw@cache/0", "redis://:***@cache/0")]
    [InlineData("git clone https://oauth2:glpat-XYZ123@gitlab.com/a/b.git", "git clone https://oauth2:***@gitlab.com/a/b.git")]
    [InlineData("https://user@host/path and https://host/a:b", "https://user@host/path and https://host/a:b")]
    [InlineData("no url here: a:b@c", "no url here: a:b@c")]
    public void Passwords_inside_urls_are_masked_wherever_they_appear(string text, string expected) =>
        Assert.Equal(expected, Redactor.Redact(text));

    [Fact]
    public void A_password_from_a_url_in_the_environment_is_redacted_when_printed_alone()
    {
        var text = Redactor.Redact("password is s3cretPassw0rd");
        Assert.Equal("password is [redacted:DATABASE_URL]", text);
    }

    [Fact]
    public void Output_bytes_holding_a_url_password_are_masked_and_other_bytes_stay_exact()
    {
        Assert.Equal("postgres://u:***@h/db"u8.ToArray(), Redactor.Redact("postgres://u:pw@h/db"u8.ToArray()));
        byte[] latin1 = [0xe9, (byte)':', (byte)'/', (byte)'/'];
        Assert.Same(latin1, Redactor.Redact(latin1));
    }
}
