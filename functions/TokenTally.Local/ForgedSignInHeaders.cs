using TokenTally.Application.SignIn;

namespace TokenTally.Local;

/// <summary>
/// Local mode has no App Service authentication in front of it, so a client-principal header can only have come from the
/// caller: every one is removed before authentication, whatever TokenTally:Auth:Entra says. Local mode does not add the
/// sign-in scheme either; this keeps a later change from trusting what it should not.
/// </summary>
public static class ForgedSignInHeaders
{
    public static IApplicationBuilder UseForgedSignInHeadersRemoved(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        foreach (var header in ClientPrincipal.Headers)
        {
            context.Request.Headers.Remove(header);
        }

        return next(context);
    });
}
