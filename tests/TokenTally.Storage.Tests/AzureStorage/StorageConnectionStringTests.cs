using TokenTally.Storage.AzureStorage;
using TokenTally.Testing;

namespace TokenTally.Storage.Tests.AzureStorage;

public sealed class StorageConnectionStringTests
{
    private const string Key = AzuriteFixture.AccountKey;

    [Fact]
    public void ExplicitEndpointsAreUsedAsGiven()
    {
        var parsed = StorageConnectionString.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;");

        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), parsed.QueueEndpoint);
    }

    [Fact]
    public void MissingEndpointsAreDerivedFromProtocolAccountAndSuffix()
    {
        var parsed = StorageConnectionString.Parse($"DefaultEndpointsProtocol=https;AccountName=tokentally;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal(new Uri("https://tokentally.blob.core.chinacloudapi.cn"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("https://tokentally.queue.core.chinacloudapi.cn"), parsed.QueueEndpoint);
    }

    [Fact]
    public void TheDefaultsAreHttpsAndThePublicCloud()
    {
        var parsed = StorageConnectionString.Parse($"AccountName=tokentally;AccountKey={Key}");

        Assert.Equal(new Uri("https://tokentally.blob.core.windows.net"), parsed.BlobEndpoint);
    }

    [Fact]
    public void SettingNamesAreCaseInsensitiveAndKeysKeepTheirPadding()
    {
        var parsed = StorageConnectionString.Parse($"accountname=tokentally; accountkey={Key} ");

        Assert.Equal("tokentally", parsed.AccountName);
        Assert.IsAssignableFrom<StorageCredential>(parsed.Credential);
    }

    [Theory]
    [InlineData("AccountName=tokentally", "AccountKey")]
    [InlineData("AccountKey=c2VjcmV0LWtleS12YWx1ZQ==", "AccountName")]
    [InlineData("AccountName=tokentally;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;BlobEndpoint=not a uri", "BlobEndpoint")]
    [InlineData("AccountName=tokentally;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;DefaultEndpointsProtocol=ftp", "DefaultEndpointsProtocol")]
    [InlineData("AccountName=tokentally;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;garbage", "Name=Value")]
    [InlineData("UseDevelopmentStorage=true", "UseDevelopmentStorage")]
    public void MalformedStringsNameTheSettingButNeverTheKey(string connectionString, string named)
    {
        var error = Assert.Throws<FormatException>(() => StorageConnectionString.Parse(connectionString));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LWtleS12YWx1ZQ==", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToStringLeavesTheKeyOut()
    {
        var parsed = StorageConnectionString.Parse($"AccountName=tokentally;AccountKey={Key}");

        Assert.DoesNotContain(Key, parsed.ToString(), StringComparison.Ordinal);
        Assert.Contains("tokentally", parsed.ToString(), StringComparison.Ordinal);
    }
}
