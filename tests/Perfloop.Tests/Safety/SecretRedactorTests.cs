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
