import { customType } from "drizzle-orm/pg-core";

/** Postgres xid8: a 64-bit transaction id, carried as a decimal string. */
export const xid8 = customType<{ data: string; driverData: string }>({
  dataType: () => "xid8",
});
