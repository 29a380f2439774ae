using System.Net.Http.Headers;
using TokenTally.Storage.AzureStorage;
using TokenTally.Testing;

namespace TokenTally.Storage.Tests.AzureStorage;

/// <summary>
/// The Shared Key string-to-sign, written out by hand from
/// https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key, and the HMAC
/// checked against one computed outside .NET (openssl dgst -sha256 -mac HMAC).
/// </summary>
public sealed class SharedKeySignatureTests
{
    [Fact]
    public void StringToSignListsTheStandardHeadersThenXMsHeadersThenTheResource()
    {
        using var request = PutBlobRequest();

        Assert.Equal(
            "PUT\n"
            + "\n" // Content-Encoding
            + "\n" // Content-Language
            + "5\n" // Content-Length
            + "\n" // Content-MD5
            + "application/json\n" // Content-Type
            + "\n" // Date (x-ms-date is used instead)
            + "\n" // If-Modified-Since
            + "\n" // If-Match
            + "*\n" // If-None-Match
            + "\n" // If-Unmodified-Since
            + "\n" // Range
            + "x-ms-blob-type:BlockBlob\n"
            + "x-ms-date:Sat, 01 Feb 2025 10:00:00 GMT\n"
            + "x-ms-version:2021-12-02\n"
            + "/devstoreaccount1/devstoreaccount1/archive/tenant%20a/%C3%BC.json",
            SharedKeySignature.StringToSign(request, AzuriteFixture.AccountName));
    }

    [Fact]
    public void SignatureIsTheBase64HmacSha256OfTheStringToSignUnderTheDecodedKey()
    {
        var credential = (SharedKeyStorageCredential)StorageCredential.FromSharedKey(AzuriteFixture.AccountName, AzuriteFixture.AccountKey);
        using var request = PutBlobRequest();

        Assert.Equal("U7oL06C76fufblTc5F/8a2OMJ1z1zCbkygbytXQOABo=", credential.Sign(SharedKeySignature.StringToSign(request, AzuriteFixture.AccountName)));
    }

    [Fact]
    public async Task AuthorizationHeaderNamesTheAccountAndCarriesTheSignature()
    {
        var credential = StorageCredential.FromSharedKey(AzuriteFixture.AccountName, AzuriteFixture.AccountKey);
        using var request = PutBlobRequest();

        await credential.AuthorizeAsync(request, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal("SharedKey devstoreaccount1:U7oL06C76fufblTc5F/8a2OMJ1z1zCbkygbytXQOABo=", Assert.Single(request.Headers.GetValues("Authorization")));
    }

    [Fact]
    public void QueryParametersAreDecodedLowerCasedAndSortedByName()
    {
        // The example from the specification, host-style as on Azure.
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata");

        Assert.EndsWith("\n/myaccount/mycontainer\ncomp:metadata\nrestype:container", SharedKeySignature.StringToSign(request, "myaccount"), StringComparison.Ordinal);
    }

    [Fact]
    public void ParameterValuesAreSignedDecoded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:10000/devstoreaccount1/archive?restype=container&comp=list&prefix=a%20b%2F%C3%BC%2B&MaxResults=3");

        Assert.EndsWith(
            "\n/devstoreaccount1/devstoreaccount1/archive\ncomp:list\nmaxresults:3\nprefix:a b/ü+\nrestype:container",
            SharedKeySignature.StringToSign(request, AzuriteFixture.AccountName),
            StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroContentLengthIsSignedAsEmpty()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:10000/devstoreaccount1/archive/empty.json")
        {
            Content = new ByteArrayContent([]),
        };

        Assert.StartsWith("PUT\n\n\n\n", SharedKeySignature.StringToSign(request, AzuriteFixture.AccountName), StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyThatIsNotBase64IsRejectedWithoutRepeatingIt()
    {
        var error = Assert.Throws<FormatException>(() => StorageCredential.FromSharedKey("account", "not base64!"));

        Assert.DoesNotContain("not base64!", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCredentialDoesNotPrintItsKey()
    {
        var credential = StorageCredential.FromSharedKey(AzuriteFixture.AccountName, AzuriteFixture.AccountKey);

        Assert.DoesNotContain(AzuriteFixture.AccountKey, credential.ToString(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage PutBlobRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:10000/devstoreaccount1/archive/tenant%20a/%C3%BC.json")
        {
            Content = new ByteArrayContent("hello"u8.ToArray()),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content.Headers.ContentLength = 5;
        request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        request.Headers.TryAddWithoutValidation("x-ms-version", "2021-12-02");
        request.Headers.TryAddWithoutValidation("x-ms-date", "Sat, 01 Feb 2025 10:00:00 GMT");
        request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
        return request;
    }
}
