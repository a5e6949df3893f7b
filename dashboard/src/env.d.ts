// esbuild bundles imported CSS into the stylesheet index.html links.
declare module "*.css";
