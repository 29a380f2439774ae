using System.Collections.Frozen;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Pricing;

/// <summary>Reads and validates the JSON form of a <see cref="PriceCatalog"/>; every error names the model and field.</summary>
internal static class PriceCatalogReader
{
    private static readonly string[] RootFields = ["version", "currency", "unit", "note", "providers", "models"];
    private static readonly string[] ProviderFields = ["id", "aliases"];
    private static readonly string[] ModelFields = ["id", "provider", "operation", "aliases", "source", "note", "periods"];
    private static readonly string[] PeriodFields = ["effectiveFrom", "note", "prices", "contextTiers", "serviceTiers", "deployments"];
    private static readonly string[] SheetFields = ["prices", "contextTiers", "serviceTiers"];
    private static readonly string[] TierFields = ["aboveInputTokens", "prices", "serviceTiers"];
    private static readonly string[] PriceFields = ["input", "cachedInput", "cacheWrite", "output", "reasoning"];
    private static readonly string[] MultiplierFields = ["multiplier"];

    private static readonly FrozenDictionary<string, ServiceTier> ServiceTierNames = new Dictionary<string, ServiceTier>
    {
        ["batch"] = ServiceTier.Batch,
        ["flex"] = ServiceTier.Flex,
        ["priority"] = ServiceTier.Priority,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, AzureDeploymentType> DeploymentNames = new Dictionary<string, AzureDeploymentType>
    {
        ["dataZone"] = AzureDeploymentType.DataZone,
        ["regional"] = AzureDeploymentType.Regional,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, CallOperation> OperationNames = new Dictionary<string, CallOperation>
    {
        ["chat"] = CallOperation.Chat,
        ["completion"] = CallOperation.Completion,
        ["embedding"] = CallOperation.Embedding,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static PriceCatalog Read(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new PriceCatalogFormatException($"Invalid price catalog: not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            return ReadRoot(document.RootElement);
        }
    }

    private static PriceCatalog ReadRoot(JsonElement root)
    {
        var catalog = new Scope(null, "catalog");
        catalog.RequireObject(root, RootFields);
        var version = catalog.RequiredString(root, "version");
        if (root.TryGetProperty("currency", out var currency) && currency.GetString() != "USD")
        {
            throw catalog.Error($"currency must be \"USD\", found {currency.GetRawText()}");
        }

        var providers = ReadProviders(catalog.RequiredArray(root, "providers"), catalog);
        var providerByAlias = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var provider in providers)
        {
            foreach (var name in provider.Aliases.Prepend(provider.Id))
            {
                if (providerByAlias.TryGetValue(name, out var other) && other != provider.Id)
                {
                    throw catalog.Error($"provider alias '{name}' names both '{other}' and '{provider.Id}'");
                }

                providerByAlias[name] = provider.Id;
            }
        }

        var models = new List<CatalogModel>();
        var index = providers.ToDictionary(p => p.Id, _ => new Dictionary<string, CatalogModel>(StringComparer.Ordinal), StringComparer.Ordinal);
        var position = 0;
        foreach (var element in catalog.RequiredArray(root, "models"))
        {
            var model = ReadModel(element, position++, index.Keys);
            var names = index[model.Provider];
            foreach (var name in model.Aliases.Prepend(model.Id))
            {
                if (names.TryGetValue(name, out var other))
                {
                    var what = name == model.Id ? "id" : "alias";
                    throw new PriceCatalogFormatException(model.Key, $"{what} '{name}' is already used by model '{other.Key}'");
                }

                names[name] = model;
            }

            models.Add(model);
        }

        return new PriceCatalog(
            version,
            providers.AsReadOnly(),
            models.AsReadOnly(),
            providerByAlias.ToFrozenDictionary(StringComparer.Ordinal),
            index.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenDictionary(StringComparer.Ordinal), StringComparer.Ordinal));
    }

    private static List<CatalogProvider> ReadProviders(JsonElement.ArrayEnumerator elements, Scope catalog)
    {
        var providers = new List<CatalogProvider>();
        var position = 0;
        foreach (var element in elements)
        {
            var scope = catalog.Field($"providers[{position++}]");
            scope.RequireObject(element, ProviderFields);
            var id = scope.RequiredName(element, "id");
            if (providers.Any(p => p.Id == id))
            {
                throw scope.Error($"provider '{id}' is listed twice");
            }

            providers.Add(new CatalogProvider(id, scope.Names(element, "aliases")));
        }

        return providers;
    }

    private static CatalogModel ReadModel(JsonElement element, int position, IEnumerable<string> providers)
    {
        var located = new Scope($"models[{position}]", string.Empty);
        located.RequireObject(element, ModelFields);
        var id = located.RequiredName(element, "id");
        var provider = located.RequiredName(element, "provider");
        var model = new Scope($"{provider}/{id}", string.Empty);
        if (!providers.Contains(provider))
        {
            throw model.Error($"provider '{provider}' is not in the catalog's providers");
        }

        var operationName = model.RequiredString(element, "operation");
        if (!OperationNames.TryGetValue(operationName, out var operation))
        {
            throw model.Field("operation").Error($"unknown operation '{operationName}' (expected {string.Join(", ", OperationNames.Keys)})");
        }

        var aliases = model.Names(element, "aliases");
        if (aliases.Contains(id))
        {
            throw model.Field("aliases").Error($"alias '{id}' repeats the model id");
        }

        if (aliases.Distinct(StringComparer.Ordinal).Count() != aliases.Count)
        {
            throw model.Field("aliases").Error("an alias is listed twice");
        }

        var source = model.RequiredString(element, "source");
        var note = model.OptionalString(element, "note");

        var periods = new List<PricePeriod>();
        var index = 0;
        foreach (var periodElement in model.RequiredArray(element, "periods"))
        {
            var period = ReadPeriod(periodElement, model.Field($"periods[{index++}]"), provider);
            if (periods.Count > 0 && period.EffectiveFrom <= periods[^1].EffectiveFrom)
            {
                throw model.Field("periods").Error(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"effective dates must strictly ascend, but {period.EffectiveFrom:yyyy-MM-dd} follows {periods[^1].EffectiveFrom:yyyy-MM-dd}"));
            }

            periods.Add(period);
        }

        if (periods.Count == 0)
        {
            throw model.Field("periods").Error("a model needs at least one price period");
        }

        return new CatalogModel(id, provider, operation, aliases, periods.AsReadOnly(), source, note);
    }

    private static PricePeriod ReadPeriod(JsonElement element, Scope scope, string provider)
    {
        scope.RequireObject(element, PeriodFields);
        var text = scope.RequiredString(element, "effectiveFrom");
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var effectiveFrom))
        {
            throw scope.Field("effectiveFrom").Error($"'{text}' is not a date in the form yyyy-MM-dd");
        }

        var sheet = ReadSheet(element, scope);
        var deployments = new Dictionary<AzureDeploymentType, PriceSheet>();
        if (element.TryGetProperty("deployments", out var deploymentsElement))
        {
            var deploymentsScope = scope.Field("deployments");
            if (provider != PriceCatalog.AzureOpenAiProvider)
            {
                throw deploymentsScope.Error($"only {PriceCatalog.AzureOpenAiProvider} models have deployment-type prices");
            }

            deploymentsScope.RequireObject(deploymentsElement, [.. DeploymentNames.Keys]);
            foreach (var property in deploymentsElement.EnumerateObject())
            {
                var deploymentScope = deploymentsScope.Field(property.Name);
                deploymentScope.RequireObject(property.Value, SheetFields);
                deployments[DeploymentNames[property.Name]] = ReadSheet(property.Value, deploymentScope);
            }
        }

        return new PricePeriod(effectiveFrom, sheet, deployments.AsReadOnly(), scope.OptionalString(element, "note"));
    }

    private static PriceSheet ReadSheet(JsonElement element, Scope scope)
    {
        var prices = ReadPrice(scope.Required(element, "prices"), scope.Field("prices"));
        var serviceTiers = ReadServiceTiers(element, scope);
        var tiers = new List<ContextTier>();
        if (element.TryGetProperty("contextTiers", out var tiersElement))
        {
            var tiersScope = scope.Field("contextTiers");
            var index = 0;
            foreach (var tierElement in tiersScope.Array(tiersElement))
            {
                var tierScope = tiersScope.Field($"[{index++}]");
                tierScope.RequireObject(tierElement, TierFields);
                var thresholdElement = tierScope.Required(tierElement, "aboveInputTokens");
                if (thresholdElement.ValueKind != JsonValueKind.Number || !thresholdElement.TryGetInt64(out var threshold) || threshold <= 0)
                {
                    throw tierScope.Field("aboveInputTokens").Error($"expected a positive whole number of tokens, found {thresholdElement.GetRawText()}");
                }

                if (tiers.Count > 0 && threshold <= tiers[^1].AboveInputTokens)
                {
                    throw tiersScope.Error($"thresholds must strictly ascend, but {threshold} follows {tiers[^1].AboveInputTokens}");
                }

                var tierPrices = ReadPrice(tierScope.Required(tierElement, "prices"), tierScope.Field("prices"));
                tiers.Add(new ContextTier(threshold, tierPrices, WithInheritedMultipliers(ReadServiceTiers(tierElement, tierScope), serviceTiers)));
            }
        }

        return new PriceSheet(prices, tiers.AsReadOnly(), serviceTiers);
    }

    // A multiplier is a rule ("batch is half price"), so it holds inside a long-context tier too; explicit prices of the
    // sheet do not, because they are prices of the standard context size.
    private static ReadOnlyDictionary<ServiceTier, ServiceTierPrice> WithInheritedMultipliers(
        ReadOnlyDictionary<ServiceTier, ServiceTierPrice> tierOwn,
        ReadOnlyDictionary<ServiceTier, ServiceTierPrice> sheet)
    {
        var merged = new Dictionary<ServiceTier, ServiceTierPrice>(tierOwn);
        foreach (var (tier, price) in sheet)
        {
            if (price.Multiplier is not null)
            {
                merged.TryAdd(tier, price);
            }
        }

        return merged.AsReadOnly();
    }

    private static ReadOnlyDictionary<ServiceTier, ServiceTierPrice> ReadServiceTiers(JsonElement element, Scope scope)
    {
        var tiers = new Dictionary<ServiceTier, ServiceTierPrice>();
        if (!element.TryGetProperty("serviceTiers", out var tiersElement))
        {
            return tiers.AsReadOnly();
        }

        var tiersScope = scope.Field("serviceTiers");
        tiersScope.RequireObject(tiersElement, [.. ServiceTierNames.Keys]);
        foreach (var property in tiersElement.EnumerateObject())
        {
            var tierScope = tiersScope.Field(property.Name);
            if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("multiplier", out var multiplier))
            {
                tierScope.RequireObject(property.Value, MultiplierFields);
                tiers[ServiceTierNames[property.Name]] = ServiceTierPrice.FromMultiplier(ReadAmount(multiplier, tierScope.Field("multiplier"), "multiplier"));
            }
            else
            {
                tiers[ServiceTierNames[property.Name]] = ServiceTierPrice.FromPrices(ReadPrice(property.Value, tierScope));
            }
        }

        return tiers.AsReadOnly();
    }

    private static ModelPrice ReadPrice(JsonElement element, Scope scope)
    {
        scope.RequireObject(element, PriceFields);
        decimal? Optional(string name) =>
            element.TryGetProperty(name, out var value) ? ReadAmount(value, scope.Field(name), "price") : null;

        return new ModelPrice(
            ReadAmount(scope.Required(element, "input"), scope.Field("input"), "price"),
            ReadAmount(scope.Required(element, "output"), scope.Field("output"), "price"),
            Optional("cachedInput"),
            Optional("cacheWrite"),
            Optional("reasoning"));
    }

    private static decimal ReadAmount(JsonElement element, Scope scope, string what)
    {
        decimal value;
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDecimal(out var number))
        {
            value = number;
        }
        else if (element.ValueKind == JsonValueKind.String
            && decimal.TryParse(element.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
        }
        else
        {
            throw scope.Error($"expected a decimal number, found {element.GetRawText()}");
        }

        return value >= 0 ? value : throw scope.Error($"{what} {value.ToString(CultureInfo.InvariantCulture)} is negative");
    }

    /// <summary>Where in the document a value sits, for error messages.</summary>
    private readonly record struct Scope(string? Model, string Path)
    {
        public Scope Field(string name) =>
            this with { Path = Path.Length == 0 ? name : name.StartsWith('[') ? Path + name : $"{Path}.{name}" };

        public PriceCatalogFormatException Error(string message) =>
            new(Model, Path.Length == 0 ? message : $"{Path}: {message}");

        public void RequireObject(JsonElement element, string[] allowed)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error($"expected an object, found {element.ValueKind.ToString().ToLowerInvariant()}");
            }

            foreach (var property in element.EnumerateObject())
            {
                if (!allowed.Contains(property.Name, StringComparer.Ordinal))
                {
                    throw Field(property.Name).Error($"unknown field (expected one of {string.Join(", ", allowed)})");
                }
            }
        }

        public JsonElement Required(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) ? value : throw Field(name).Error("required field is missing");

        public string RequiredString(JsonElement element, string name)
        {
            var value = Required(element, name);
            return value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
                ? value.GetString()!
                : throw Field(name).Error($"expected a non-empty string, found {value.GetRawText()}");
        }

        public string? OptionalString(JsonElement element, string name) =>
            element.TryGetProperty(name, out _) ? RequiredString(element, name) : null;

        /// <summary>A lower-case identifier without surrounding white space (model ids, aliases, provider ids).</summary>
        public string RequiredName(JsonElement element, string name) => CheckName(RequiredString(element, name), Field(name));

        public ReadOnlyCollection<string> Names(JsonElement element, string name)
        {
            if (!element.TryGetProperty(name, out var value))
            {
                return ReadOnlyCollection<string>.Empty;
            }

            var scope = Field(name);
            var names = new List<string>();
            foreach (var item in scope.Array(value))
            {
                names.Add(item.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(item.GetString())
                    ? CheckName(item.GetString()!, scope)
                    : throw scope.Error($"expected non-empty strings, found {item.GetRawText()}"));
            }

            return names.AsReadOnly();
        }

        public JsonElement.ArrayEnumerator RequiredArray(JsonElement element, string name) => Field(name).Array(Required(element, name));

        public JsonElement.ArrayEnumerator Array(JsonElement element) =>
            element.ValueKind == JsonValueKind.Array
                ? element.EnumerateArray()
                : throw Error($"expected an array, found {element.ValueKind.ToString().ToLowerInvariant()}");

        private static string CheckName(string value, Scope scope) =>
            value == value.Trim().ToLowerInvariant()
                ? value
                : throw scope.Error($"'{value}' must be lower case without surrounding white space");
    }
}
