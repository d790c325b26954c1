// The demo shop that `npm run seed` loads: a category tree, products on its
// leaves, some later price and stock changes, and orders by a few customers.
// Slugs name things across this file and become idempotency keys, so keep them
// stable; to change data already seeded somewhere, bump SEED_VERSION.

export const SEED_VERSION = "seed-v2";

export interface DemoCategory {
  slug: string;
  name: string;
  description: string;
  /** Slug of the parent; absent for a top-level category. */
  parent?: string;
}

export interface DemoProduct {
  slug: string;
  /** Slug of a leaf category. */
  category: string;
  name: string;
  description: string;
  /** Exact decimal string, as the API's Decimal scalar takes it. */
  price: string;
  stock: number;
}

export interface DemoPriceHistory {
  product: string;
  /** Applied in this order, after the product is created. */
  prices: string[];
}

export interface DemoStockUpdate {
  product: string;
  /** The new stock count (not a delta). */
  quantity: number;
}

export interface DemoOrder {
  userId: string;
  items: Array<{ product: string; quantity: number }>;
  /**
   * Cancelled after it is placed, with this reason. Such orders ask the shipping
   * provider to fail its first three tries (see the userId directives in
   * src/sagas/simulated-services.ts), so the cancel reaches the saga before it
   * could confirm the order.
   */
  cancelReason?: string;
}

export const DEMO_CATEGORIES: DemoCategory[] = [
  { slug: "electronics", name: "Electronics", description: "Audio, smart home gear, computer accessories and cameras." },
  { slug: "audio", parent: "electronics", name: "Headphones & Audio", description: "Headphones, earbuds and speakers for home and on the go." },
  { slug: "smart-home", parent: "electronics", name: "Smart Home", description: "Bulbs, plugs, sensors and thermostats that work with your phone." },
  { slug: "computer-accessories", parent: "electronics", name: "Computer Accessories", description: "Keyboards, mice, hubs and stands for a better desk." },
  { slug: "cameras", parent: "electronics", name: "Cameras", description: "Action cameras, instant cameras and the accessories around them." },

  { slug: "home-kitchen", name: "Home & Kitchen", description: "Everything for cooking, brewing and sleeping well." },
  { slug: "cookware", parent: "home-kitchen", name: "Cookware", description: "Pans, pots and knives that last for years." },
  { slug: "coffee-tea", parent: "home-kitchen", name: "Coffee & Tea", description: "Grinders, brewers, kettles and fresh beans." },
  { slug: "bedding", parent: "home-kitchen", name: "Bedding", description: "Sheets, duvets and pillows in natural fibres." },

  { slug: "outdoor-sports", name: "Outdoor & Sports", description: "Gear for camping trips, long rides and early runs." },
  { slug: "camping", parent: "outdoor-sports", name: "Camping", description: "Tents, sleeping bags, stoves and lights for nights outside." },
  { slug: "cycling", parent: "outdoor-sports", name: "Cycling", description: "Helmets, lights, locks and tools for commuters and riders." },
  { slug: "running", parent: "outdoor-sports", name: "Running", description: "Shoes, apparel and accessories for every distance." },

  { slug: "books-stationery", name: "Books & Stationery", description: "Paper, pens and books for writing things down." },
  { slug: "notebooks", parent: "books-stationery", name: "Notebooks & Journals", description: "Dotted, lined and blank notebooks in every size." },
  { slug: "writing", parent: "books-stationery", name: "Pens & Writing", description: "Fountain pens, gel pens, pencils and ink." },

  { slug: "garden", name: "Garden", description: "Tools, plants and light for balconies and back gardens." },
  { slug: "garden-tools", parent: "garden", name: "Garden Tools", description: "Pruners, trowels, hoses and gloves." },
  { slug: "plants-seeds", parent: "garden", name: "Plants & Seeds", description: "Seed kits, bulbs and easy-care houseplants." },
  { slug: "outdoor-lighting", parent: "garden", name: "Outdoor Lighting", description: "Solar lights, string lights and lanterns." },
];

export const DEMO_PRODUCTS: DemoProduct[] = [
  { slug: "aurora-anc-headphones", category: "audio", name: "Aurora ANC Over-Ear Headphones", price: "249.00", stock: 35, description: "Wireless over-ear headphones with adaptive noise cancelling and a 30-hour battery." },
  { slug: "pulse-true-wireless-earbuds", category: "audio", name: "Pulse True Wireless Earbuds", price: "89.99", stock: 120, description: "Sweat-resistant earbuds with a pocket charging case and 24 hours of playback." },
  { slug: "boombox-mini-speaker", category: "audio", name: "Boombox Mini Bluetooth Speaker", price: "49.95", stock: 80, description: "Palm-sized waterproof speaker with a surprisingly deep bass and a 12-hour battery." },
  { slug: "studio-monitor-pair", category: "audio", name: "Studio 5 Monitor Speakers (Pair)", price: "329.00", stock: 12, description: "Active 5-inch nearfield monitors for home studios and honest listening." },

  { slug: "lumen-smart-bulb-4pack", category: "smart-home", name: "Lumen Smart Bulb E27 (4-Pack)", price: "59.99", stock: 200, description: "Dimmable colour bulbs controlled by app or voice, no hub required." },
  { slug: "plugwise-smart-plug", category: "smart-home", name: "Plugwise Smart Plug with Energy Meter", price: "24.99", stock: 150, description: "Switch any appliance on a schedule and see what it really costs to run." },
  { slug: "nestor-thermostat", category: "smart-home", name: "Nestor Learning Thermostat", price: "199.00", stock: 25, description: "Learns your routine and turns the heating down when nobody is home." },
  { slug: "doorwatch-video-doorbell", category: "smart-home", name: "DoorWatch Video Doorbell", price: "129.00", stock: 40, description: "1080p doorbell camera with night vision and two-way talk." },

  { slug: "keystone-mechanical-keyboard", category: "computer-accessories", name: "Keystone TKL Mechanical Keyboard", price: "119.00", stock: 60, description: "Tenkeyless keyboard with hot-swappable tactile switches and PBT keycaps." },
  { slug: "glide-ergonomic-mouse", category: "computer-accessories", name: "Glide Ergonomic Vertical Mouse", price: "54.90", stock: 90, description: "Vertical wireless mouse that keeps your wrist in a handshake position." },
  { slug: "dockit-usb-c-hub", category: "computer-accessories", name: "DockIt 8-in-1 USB-C Hub", price: "69.99", stock: 110, description: "HDMI 4K, Ethernet, SD card and three USB-A ports from a single cable." },
  { slug: "riser-laptop-stand", category: "computer-accessories", name: "Riser Aluminium Laptop Stand", price: "39.00", stock: 75, description: "Raises your screen to eye level and folds flat for the bag." },

  { slug: "trailcam-action-camera", category: "cameras", name: "TrailCam 4K Action Camera", price: "279.00", stock: 18, description: "Stabilised 4K60 video, waterproof to 10 m without a housing." },
  { slug: "snapshot-instant-camera", category: "cameras", name: "Snapshot Instant Camera", price: "84.50", stock: 45, description: "Prints credit-card-sized photos in seconds, with a selfie mirror." },
  { slug: "travel-tripod", category: "cameras", name: "Compact Carbon Travel Tripod", price: "149.00", stock: 20, description: "Carbon fibre tripod that folds to 38 cm and holds 8 kg." },
  { slug: "sd-card-128gb", category: "cameras", name: "ProShot SDXC Card 128 GB", price: "27.99", stock: 300, description: "V30 card fast enough for 4K video, with a lifetime warranty." },

  { slug: "cast-iron-skillet-26", category: "cookware", name: "Cast Iron Skillet 26 cm", price: "44.00", stock: 70, description: "Pre-seasoned cast iron that goes from hob to oven to table." },
  { slug: "tri-ply-saucepan-set", category: "cookware", name: "Tri-Ply Stainless Saucepan Set (3 pcs)", price: "159.00", stock: 22, description: "Even heating on every hob including induction; lids included." },
  { slug: "chef-knife-20", category: "cookware", name: "Damascus Chef's Knife 20 cm", price: "119.90", stock: 30, description: "67-layer steel blade with a full tang and an olive wood handle." },
  { slug: "dutch-oven-5l", category: "cookware", name: "Enamelled Dutch Oven 5 L", price: "89.00", stock: 28, description: "For bread, stews and slow roasts; oven-safe to 250 °C." },

  { slug: "burr-grinder", category: "coffee-tea", name: "Conical Burr Coffee Grinder", price: "139.00", stock: 34, description: "40 grind settings from espresso to cold brew, with a quiet motor." },
  { slug: "pour-over-kit", category: "coffee-tea", name: "Pour-Over Coffee Kit", price: "39.95", stock: 85, description: "Ceramic dripper, glass server and 100 filters for two cups at a time." },
  { slug: "gooseneck-kettle", category: "coffee-tea", name: "Gooseneck Kettle with Temperature Control", price: "74.99", stock: 50, description: "Holds water at the exact temperature your coffee or tea needs." },
  { slug: "ethiopia-yirgacheffe-beans", category: "coffee-tea", name: "Ethiopia Yirgacheffe Beans 250 g", price: "12.50", stock: 400, description: "Light roast with notes of jasmine, lemon and black tea." },

  { slug: "linen-duvet-cover", category: "bedding", name: "Washed Linen Duvet Cover (Double)", price: "129.00", stock: 40, description: "Stonewashed European flax that gets softer with every wash." },
  { slug: "percale-sheet-set", category: "bedding", name: "Organic Cotton Percale Sheet Set", price: "89.00", stock: 55, description: "Crisp, cool percale weave in GOTS-certified organic cotton." },
  { slug: "wool-pillow", category: "bedding", name: "Adjustable Wool Pillow", price: "59.00", stock: 65, description: "Fill it more or less to suit side, back or front sleepers." },
  { slug: "down-alternative-duvet", category: "bedding", name: "All-Season Down-Alternative Duvet", price: "99.00", stock: 30, description: "Two layers that button together for winter and apart for summer." },

  { slug: "ridgeline-2p-tent", category: "camping", name: "Ridgeline 2-Person Backpacking Tent", price: "289.00", stock: 15, description: "Freestanding 3-season tent weighing 1.6 kg, with two doors." },
  { slug: "summit-sleeping-bag", category: "camping", name: "Summit -5 °C Down Sleeping Bag", price: "219.00", stock: 20, description: "Responsibly sourced 650-fill down in a compressible mummy cut." },
  { slug: "pocket-rocket-stove", category: "camping", name: "Pocket Canister Stove", price: "49.00", stock: 60, description: "Boils a litre of water in three and a half minutes; fits in a mug." },
  { slug: "headlamp-400", category: "camping", name: "Beam 400 Rechargeable Headlamp", price: "34.99", stock: 140, description: "400 lumens, red night mode and USB-C charging." },

  { slug: "aero-road-helmet", category: "cycling", name: "Aero Road Helmet with MIPS", price: "149.00", stock: 25, description: "Ventilated road helmet with rotational impact protection." },
  { slug: "commuter-light-set", category: "cycling", name: "Commuter Front & Rear Light Set", price: "44.90", stock: 95, description: "StVZO-approved lights that last a week of commuting per charge." },
  { slug: "folding-bike-lock", category: "cycling", name: "Folding Bike Lock 90 cm", price: "79.00", stock: 40, description: "Hardened steel links that fold into a frame-mounted holster." },
  { slug: "mini-pump", category: "cycling", name: "Mini Pump with Gauge", price: "29.95", stock: 85, description: "Fits Presta and Schrader valves and reaches 100 psi." },

  { slug: "cloudstride-running-shoe", category: "running", name: "CloudStride Road Running Shoe", price: "139.95", stock: 48, description: "Cushioned daily trainer with a breathable knit upper." },
  { slug: "trail-running-vest", category: "running", name: "Trail Running Vest 8 L", price: "99.00", stock: 26, description: "Two soft flasks, a bounce-free fit and room for a rain shell." },
  { slug: "merino-running-tee", category: "running", name: "Merino Running T-Shirt", price: "59.90", stock: 70, description: "Lightweight merino blend that stays fresh run after run." },
  { slug: "gps-running-watch", category: "running", name: "Pace GPS Running Watch", price: "229.00", stock: 30, description: "Wrist heart rate, training plans and a 14-day battery." },

  { slug: "dotted-notebook-a5", category: "notebooks", name: "Dotted Notebook A5 Hardcover", price: "19.90", stock: 250, description: "192 numbered pages of 100 gsm paper that handles fountain pen ink." },
  { slug: "pocket-notebook-3pack", category: "notebooks", name: "Pocket Notebooks (3-Pack)", price: "11.50", stock: 300, description: "Kraft covers, 48 lined pages each, made to live in a back pocket." },
  { slug: "leather-travel-journal", category: "notebooks", name: "Leather Travel Journal", price: "42.00", stock: 45, description: "Refillable vegetable-tanned leather cover with three inserts." },
  { slug: "weekly-planner-2026", category: "notebooks", name: "Weekly Planner 2026", price: "24.00", stock: 120, description: "A week on two pages, monthly overviews and a habit tracker." },

  { slug: "fountain-pen-starter", category: "writing", name: "Fountain Pen Starter Set", price: "34.50", stock: 75, description: "Steel medium nib, a converter and six ink cartridges." },
  { slug: "gel-pen-12pack", category: "writing", name: "Gel Pens 0.5 mm (12-Pack)", price: "14.99", stock: 220, description: "Quick-drying, smudge-free ink in twelve colours." },
  { slug: "bottled-ink-blue-black", category: "writing", name: "Bottled Ink Blue-Black 50 ml", price: "16.00", stock: 90, description: "Water-resistant iron gall ink that darkens as it dries." },
  { slug: "mechanical-pencil", category: "writing", name: "Drafting Mechanical Pencil 0.5 mm", price: "9.90", stock: 160, description: "Knurled metal grip and a retractable lead sleeve." },

  { slug: "bypass-pruner", category: "garden-tools", name: "Bypass Pruning Shears", price: "32.00", stock: 80, description: "Clean cuts on stems up to 20 mm, with a replaceable blade." },
  { slug: "expanding-garden-hose", category: "garden-tools", name: "Expanding Garden Hose 30 m", price: "39.99", stock: 60, description: "Stretches to 30 m under pressure and shrinks back for storage." },
  { slug: "trowel-fork-set", category: "garden-tools", name: "Stainless Trowel & Fork Set", price: "24.50", stock: 100, description: "Rust-proof hand tools with ash wood handles." },
  { slug: "gardening-gloves", category: "garden-tools", name: "Breathable Gardening Gloves", price: "12.99", stock: 180, description: "Nitrile-coated palms for grip, knit backs for air." },

  { slug: "herb-seed-kit", category: "plants-seeds", name: "Kitchen Herb Seed Kit", price: "18.95", stock: 140, description: "Basil, parsley, chives and coriander with pots and soil discs." },
  { slug: "tulip-bulbs-25", category: "plants-seeds", name: "Tulip Bulb Mix (25 Bulbs)", price: "15.99", stock: 90, description: "Spring-flowering mix in reds, purples and whites; plant in autumn." },
  { slug: "monstera-deliciosa", category: "plants-seeds", name: "Monstera Deliciosa (40 cm)", price: "34.00", stock: 25, description: "The easy-going Swiss cheese plant, shipped in a 17 cm nursery pot." },
  { slug: "tomato-grow-kit", category: "plants-seeds", name: "Cherry Tomato Grow Kit", price: "21.50", stock: 70, description: "Everything to grow cherry tomatoes on a sunny balcony." },

  { slug: "solar-path-lights-8", category: "outdoor-lighting", name: "Solar Path Lights (8-Pack)", price: "45.99", stock: 55, description: "Warm white stakes that charge by day and light the path all night." },
  { slug: "festoon-string-lights", category: "outdoor-lighting", name: "Festoon String Lights 15 m", price: "54.00", stock: 40, description: "Twenty shatterproof bulbs on a weatherproof cable." },
  { slug: "lantern-rechargeable", category: "outdoor-lighting", name: "Rechargeable Table Lantern", price: "39.00", stock: 50, description: "Dimmable LED lantern for the terrace, 40 hours per charge." },
];

export const DEMO_PRICE_HISTORY: DemoPriceHistory[] = [
  { product: "aurora-anc-headphones", prices: ["219.00", "229.00"] }, // a sale, then part of it back
  { product: "plugwise-smart-plug", prices: ["19.99"] },
  { product: "burr-grinder", prices: ["129.00"] },
  { product: "ridgeline-2p-tent", prices: ["249.00", "289.00"] }, // end-of-season sale, then full price
  { product: "ethiopia-yirgacheffe-beans", prices: ["13.50"] },
  { product: "gps-running-watch", prices: ["199.00"] },
  { product: "weekly-planner-2026", prices: ["18.00"] },
];

export const DEMO_STOCK_UPDATES: DemoStockUpdate[] = [
  { product: "studio-monitor-pair", quantity: 30 }, // restocked
  { product: "nestor-thermostat", quantity: 5 },
  { product: "trailcam-action-camera", quantity: 42 },
  { product: "monstera-deliciosa", quantity: 0 }, // sold out
  { product: "summit-sleeping-bag", quantity: 12 },
  { product: "gooseneck-kettle", quantity: 75 },
];

export const DEMO_USERS = ["ada.lovelace@example.com", "grace.hopper@example.com", "alan.turing@example.com", "katherine.johnson@example.com", "linus.pauling@example.com"] as const;
const [ada, grace, alan, katherine, linus] = DEMO_USERS;
const SLOW_SHIPPING = "#arrange=SERVICE_UNAVAILABLE*3";

/** The nth order (from 1) has the idempotency key `order:n`: add new orders at the end. */
export const DEMO_ORDERS: DemoOrder[] = [
  { userId: ada, items: [{ product: "aurora-anc-headphones", quantity: 1 }, { product: "sd-card-128gb", quantity: 2 }] },
  { userId: grace, items: [{ product: "burr-grinder", quantity: 1 }, { product: "ethiopia-yirgacheffe-beans", quantity: 3 }, { product: "pour-over-kit", quantity: 1 }] },
  { userId: alan, items: [{ product: "keystone-mechanical-keyboard", quantity: 1 }, { product: "glide-ergonomic-mouse", quantity: 1 }] },
  { userId: katherine, items: [{ product: "ridgeline-2p-tent", quantity: 1 }, { product: "summit-sleeping-bag", quantity: 2 }, { product: "headlamp-400", quantity: 2 }, { product: "pocket-rocket-stove", quantity: 1 }] },
  { userId: linus, items: [{ product: "herb-seed-kit", quantity: 2 }] },
  { userId: ada, items: [{ product: "dotted-notebook-a5", quantity: 2 }, { product: "fountain-pen-starter", quantity: 1 }, { product: "bottled-ink-blue-black", quantity: 1 }] },
  { userId: `${grace}${SLOW_SHIPPING}`, items: [{ product: "lumen-smart-bulb-4pack", quantity: 2 }, { product: "plugwise-smart-plug", quantity: 4 }], cancelReason: "Ordered the wrong socket type" },
  { userId: alan, items: [{ product: "cloudstride-running-shoe", quantity: 1 }, { product: "merino-running-tee", quantity: 2 }] },
  { userId: katherine, items: [{ product: "cast-iron-skillet-26", quantity: 1 }, { product: "chef-knife-20", quantity: 1 }] },
  { userId: linus, items: [{ product: "solar-path-lights-8", quantity: 1 }, { product: "festoon-string-lights", quantity: 1 }, { product: "bypass-pruner", quantity: 1 }] },
  { userId: ada, items: [{ product: "gps-running-watch", quantity: 1 }] },
  { userId: grace, items: [{ product: "linen-duvet-cover", quantity: 1 }, { product: "wool-pillow", quantity: 2 }] },
  { userId: alan, items: [{ product: "dockit-usb-c-hub", quantity: 1 }, { product: "riser-laptop-stand", quantity: 1 }, { product: "pocket-notebook-3pack", quantity: 1 }] },
  { userId: katherine, items: [{ product: "aero-road-helmet", quantity: 1 }, { product: "commuter-light-set", quantity: 1 }, { product: "folding-bike-lock", quantity: 1 }, { product: "mini-pump", quantity: 1 }] },
  { userId: `${linus}${SLOW_SHIPPING}`, items: [{ product: "snapshot-instant-camera", quantity: 1 }], cancelReason: "Found it cheaper elsewhere" },
  { userId: ada, items: [{ product: "gooseneck-kettle", quantity: 1 }, { product: "ethiopia-yirgacheffe-beans", quantity: 2 }] },
  { userId: grace, items: [{ product: "trail-running-vest", quantity: 1 }, { product: "gel-pen-12pack", quantity: 1 }] },
  { userId: `${alan}${SLOW_SHIPPING}`, items: [{ product: "tulip-bulbs-25", quantity: 2 }, { product: "trowel-fork-set", quantity: 1 }, { product: "gardening-gloves", quantity: 2 }], cancelReason: "Delivery would arrive after planting season" },
  // The saga undoes these: a declined card, and an address the carrier does not serve.
  { userId: `${katherine}#charge=INSUFFICIENT_FUNDS`, items: [{ product: "studio-monitor-pair", quantity: 1 }] },
  { userId: `${linus}#arrange=RESTRICTED_AREA`, items: [{ product: "trailcam-action-camera", quantity: 2 }, { product: "sd-card-128gb", quantity: 1 }] },
];
