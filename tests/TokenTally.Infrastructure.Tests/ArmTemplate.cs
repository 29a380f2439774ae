using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TokenTally.Infrastructure.Tests;

/// <summary>Reading compiled ARM JSON: the module deployments, their nested templates and their resources, variables resolved where a value is one.</summary>
public static partial class ArmTemplate
{
    /// <summary>The resources of <paramref name="template"/> and of every module it deploys, each with the template that holds it.</summary>
    public static IEnumerable<(JsonObject Template, JsonObject Resource)> AllResources(JsonObject template)
    {
        foreach (var resource in template["resources"]!.AsArray().Select(r => r!.AsObject()))
        {
            yield return (template, resource);
            if ((string?)resource["type"] == "Microsoft.Resources/deployments" && resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in AllResources(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    public static JsonObject Module(JsonObject main, string name) =>
        main["resources"]!.AsArray().Select(r => r!.AsObject()).Single(r => (string?)r["type"] == "Microsoft.Resources/deployments" && (string?)r["name"] == name);

    /// <summary>A module's parameter value as main passes it, a [variables('x')] reference resolved.</summary>
    public static JsonNode? ModuleParameter(JsonObject main, string module, string parameter) =>
        Resolve(main, Module(main, module)["properties"]!["parameters"]![parameter]!["value"]);

    public static JsonObject NestedTemplate(JsonObject main, string module) => Module(main, module)["properties"]!["template"]!.AsObject();

    /// <summary><paramref name="value"/>, or the variable of <paramref name="template"/> it names when it is exactly [variables('x')].</summary>
    public static JsonNode? Resolve(JsonObject template, JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var text) && VariableReference().Match(text) is { Success: true } match
            ? template["variables"]![match.Groups[1].Value]
            : value;

    [GeneratedRegex(@"^\[variables\('(\w+)'\)\]$")]
    private static partial Regex VariableReference();
}
