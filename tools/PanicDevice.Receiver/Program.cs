// The receiver service is assembled in the receiver issue; this file keeps the project buildable.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/healthz", () => Results.Ok("ok"));
app.Run();
