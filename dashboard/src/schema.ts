// What the server's schema offers, by introspection, so each panel can say
// "not available" for a field this server does not have yet, and can select
// every scalar of a type whose exact shape it does not hard-code.
import { request } from "./graphql.ts";

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}

interface Field {
  name: string;
  args: Array<{ name: string }>;
  type: TypeRef;
}

interface SchemaType {
  name: string;
  kind: string;
  fields: Field[] | null;
}

const INTROSPECTION = `{ __schema { types { name kind fields { name args { name } type { ...Ref } } } } }
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`;

export class Schema {
  readonly #types: Map<string, SchemaType>;

  constructor(types: SchemaType[]) {
    this.#types = new Map(types.map((t) => [t.name, t]));
  }

  field(typeName: string, fieldName: string): Field | undefined {
    return this.#types.get(typeName)?.fields?.find((f) => f.name === fieldName);
  }

  has(typeName: string, fieldName: string): boolean {
    return this.field(typeName, fieldName) !== undefined;
  }

  hasArg(typeName: string, fieldName: string, arg: string): boolean {
    return this.field(typeName, fieldName)?.args.some((a) => a.name === arg) ?? false;
  }

  /**
   * A selection set of every scalar field of the field's type, and of its
   * object fields down to `depth`; "" for a scalar. Fields that need
   * arguments are left out.
   */
  selectionOf(typeName: string, fieldName: string, depth = 2): string {
    const field = this.field(typeName, fieldName);
    return field ? this.#select(namedType(field.type), depth) : "";
  }

  #select(typeName: string, depth: number): string {
    const type = this.#types.get(typeName);
    if (!type?.fields) return "";
    const parts: string[] = [];
    for (const field of type.fields) {
      if (field.args.length > 0) continue;
      const inner = namedType(field.type);
      const innerType = this.#types.get(inner);
      if (!innerType?.fields) parts.push(field.name);
      else if (depth > 0) {
        const sub = this.#select(inner, depth - 1);
        if (sub) parts.push(`${field.name} ${sub}`);
      }
    }
    return parts.length ? `{ ${parts.join(" ")} }` : "";
  }
}

function namedType(ref: TypeRef): string {
  let current: TypeRef | null = ref;
  while (current && !current.name) current = current.ofType;
  return current?.name ?? "";
}

let loading: Promise<Schema> | undefined;

/** The server's schema, asked once per page load (an empty one if introspection is refused). */
export function loadSchema(): Promise<Schema> {
  loading ??= request<{ __schema: { types: SchemaType[] } }>(INTROSPECTION)
    .then((data) => new Schema(data.__schema.types))
    .catch(() => {
      loading = undefined;
      return new Schema([]);
    });
  return loading;
}
