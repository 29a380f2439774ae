using System.Text.RegularExpressions;
using TokenTally.Testing;

namespace TokenTally.Infrastructure.Tests;

/// <summary>No key, password or connection string with a key in the templates, the parameters or what they compile to.</summary>
public sealed partial class NoSecretsTests(CompiledTemplates compiled)
{
    private static IEnumerable<string> Files() =>
        Directory.EnumerateFiles(CompiledTemplates.Folder, "*", SearchOption.AllDirectories)
            .Append(Path.Combine(RepositoryPaths.Root, "azure.yaml"));

    [Fact]
    public void NoTemplateParameterOrScriptHoldsASecretLiteral()
    {
        foreach (var file in Files())
        {
            var text = File.ReadAllText(file);
            Assert.False(SecretPattern().IsMatch(text), $"{file}: {SecretPattern().Match(text).Value}");
            Assert.False(KeyLikeLiteral().IsMatch(text), $"{file}: {KeyLikeLiteral().Match(text).Value}");
        }
    }

    [Fact]
    public void TheCompiledTemplateReadsNoKeysAndOutputsNoSecret()
    {
        var json = compiled.Main.ToJsonString();

        Assert.False(SecretPattern().IsMatch(json), SecretPattern().Match(json).Value);
        Assert.DoesNotContain("securestring", json, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"AccountKey=|SharedAccessKey=|listKeys\(|listConnectionStrings|listAccountSas|primaryMasterKey|password|-----BEGIN|\bsig=", RegexOptions.IgnoreCase)]
    private static partial Regex SecretPattern();

    /// <summary>A padded base64 run with digits, as long as a storage, Event Hubs or Cosmos DB key.</summary>
    [GeneratedRegex(@"(?=[A-Za-z0-9+/]*[0-9])[A-Za-z0-9+/]{40,}={1,2}")]
    private static partial Regex KeyLikeLiteral();
}
