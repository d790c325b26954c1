import { createApp } from "./http/app.ts";

export default createApp();
