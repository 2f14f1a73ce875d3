package io.resnet4j.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;

/**
 * The runs dashboard's data: {@code GET /v1/runs} lists the runs, {@code GET
 * /v1/runs/metrics?run=ID&from=N} returns a run's metrics.csv rows from row N on, so the page
 * fetches only what is new while a run trains.
 */
final class RunsRoutes {

    private final RunsDirectory runs;

    RunsRoutes(RunsDirectory runs) {
        this.runs = runs;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/runs", this::list);
        routes.get("/v1/runs/metrics", this::metrics);
    }

    private void list(Context ctx) throws IOException {
        ObjectNode out = Json.object();
        // The folder's own name only: the server's paths stay private.
        out.put("folder", String.valueOf(runs.root().getFileName()));
        ArrayNode list = out.putArray("runs");
        for (RunsDirectory.RunSummary r : runs.list()) {
            list.add(Json.MAPPER.valueToTree(r));
        }
        Json.send(ctx, 200, out);
    }

    private void metrics(Context ctx) throws IOException {
        String from = ctx.queryParam("from");
        int start;
        try {
            start = from == null ? 0 : Integer.parseInt(from);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("from must be a row number, got '" + from + "'");
        }
        RunsDirectory.Rows rows = runs.rows(ctx.queryParam("run"), start);
        ObjectNode out = Json.object().put("run", rows.id()).put("from", rows.from()).put("next", rows.next());
        ArrayNode columns = out.putArray("columns");
        RunsDirectory.COLUMNS.forEach(columns::add);
        out.set("rows", Json.MAPPER.valueToTree(rows.rows()));
        Json.send(ctx, 200, out);
    }
}
