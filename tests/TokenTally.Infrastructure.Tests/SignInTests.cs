using System.Text.Json.Nodes;
using TokenTally.Application.SignIn;

namespace TokenTally.Infrastructure.Tests;

/// <summary>
/// App Service authentication (Entra ID) in front of the Function App, as the compiled template configures it: people sign
/// in, apps with keys still get through, the app is told to believe the principal, and the client secret is only ever a
/// Key Vault reference.
/// </summary>
public sealed class SignInTests(CompiledTemplates compiled)
{
    private const string SecretSetting = "MICROSOFT_PROVIDER_AUTHENTICATION_SECRET";

    private JsonObject FunctionApp => ArmTemplate.NestedTemplate(compiled.Main, "function-app");

    private JsonObject AuthSettings =>
        ArmTemplate.AllResources(FunctionApp).Select(r => r.Resource)
            .Single(r => (string?)r["type"] == "Microsoft.Web/sites/config" && ((string)r["name"]!).EndsWith("'authsettingsV2')]", StringComparison.Ordinal));

    private static string Setting(string property) => $"{EntraSignInOptions.Section}:{property}".Replace(":", "__", StringComparison.Ordinal);

    [Fact]
    public void TheFunctionAppSignsPeopleInWithEntraIdAndLetsUnauthenticatedRequestsThroughToTheApp()
    {
        var auth = AuthSettings;
        var properties = auth["properties"]!;

        Assert.Equal("[not(empty(parameters('entraClientId')))]", (string?)auth["condition"]);
        Assert.True((bool)properties["platform"]!["enabled"]!);
        Assert.Equal("AllowAnonymous", (string?)properties["globalValidation"]!["unauthenticatedClientAction"]);
        Assert.False((bool)properties["globalValidation"]!["requireAuthentication"]!);
        var entra = properties["identityProviders"]!["azureActiveDirectory"]!;
        Assert.True((bool)entra["enabled"]!);
        Assert.Equal("[parameters('entraClientId')]", (string?)entra["registration"]!["clientId"]);
        Assert.Contains("environment().authentication.loginEndpoint", (string?)entra["registration"]!["openIdIssuer"], StringComparison.Ordinal);
        Assert.Contains("tenant().tenantId", (string?)entra["registration"]!["openIdIssuer"], StringComparison.Ordinal);
        Assert.False((bool)properties["login"]!["tokenStore"]!["enabled"]!);

        // The client id is the deployer's parameter, passed through unchanged.
        Assert.Equal("[parameters('entraClientId')]", (string?)ArmTemplate.ModuleParameter(compiled.Main, "function-app", "entraClientId"));
        Assert.Equal(string.Empty, (string?)compiled.Main["parameters"]!["entraClientId"]!["defaultValue"]);
    }

    [Fact]
    public void TheClientSecretIsAKeyVaultReferenceResolvedAsTheAppsIdentityNeverAValue()
    {
        var auth = AuthSettings["properties"]!["identityProviders"]!["azureActiveDirectory"]!["registration"]!;
        Assert.Equal(SecretSetting, (string?)ArmTemplate.Resolve(FunctionApp, auth["clientSecretSettingName"]));

        var reference = (string)FunctionApp["variables"]!["entraSecretReference"]!;
        Assert.Equal("[format('@Microsoft.KeyVault(VaultName={0};SecretName=entra-client-secret)', parameters('keyVaultName'))]", reference);
        Assert.Equal("[reference(resourceId('Microsoft.Resources/deployments', 'key-vault'), '2025-04-01').outputs.name.value]", (string?)ArmTemplate.ModuleParameter(compiled.Main, "function-app", "keyVaultName"));

        var site = ArmTemplate.AllResources(FunctionApp).Select(r => r.Resource).Single(r => (string?)r["type"] == "Microsoft.Web/sites");
        Assert.Equal("[parameters('identityId')]", (string?)site["properties"]!["keyVaultReferenceIdentity"]);

        var settings = ArmTemplate.AllResources(FunctionApp).Select(r => r.Resource)
            .Single(r => (string?)r["type"] == "Microsoft.Web/sites/config" && ((string)r["name"]!).EndsWith("'appsettings')]", StringComparison.Ordinal));
        Assert.Contains($"createObject(format('{{0}}', variables('entraSecretSetting')), variables('entraSecretReference'))", (string)settings["properties"]!, StringComparison.Ordinal);

        // No parameter carries a secret: nothing secure, nothing named like one.
        var parameters = compiled.Main["parameters"]!.AsObject();
        Assert.DoesNotContain(parameters, p => p.Key.Contains("secret", StringComparison.OrdinalIgnoreCase) || p.Key.Contains("password", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void TheAppBelievesThePrincipalExactlyWhenAnAppRegistrationIsGivenAndLearnsHowToFindATenant()
    {
        var settings = ArmTemplate.ModuleParameter(compiled.Main, "function-app", "appSettings")!.AsObject();

        Assert.Equal("[if(empty(parameters('entraClientId')), 'false', 'true')]", (string?)settings[Setting(nameof(EntraSignInOptions.Enabled))]);
        Assert.Equal("[parameters('entraTenantClaim')]", (string?)settings[Setting(nameof(EntraSignInOptions.TenantClaim))]);
        Assert.Equal("[parameters('entraDefaultTenant')]", (string?)settings[Setting(nameof(EntraSignInOptions.DefaultTenant))]);

        // The platform sets WEBSITE_AUTH_ENABLED itself; a template that set it would make forged headers believable.
        Assert.False(settings.ContainsKey(SignInTrust.AuthEnabledSetting));
    }
}
